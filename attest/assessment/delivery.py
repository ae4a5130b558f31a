"""The test session state machine: start codes, item plan, answers, scoring at the end."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Mapping, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import adaptive, codes, enemies, irt, session_clock, targeting
from attest.assessment.bank_queries import current_versions, group_units, unit_id
from attest.assessment.cefr import (
    CONFIDENT,
    fold_above,
    level_probabilities,
    level_range,
)
from attest.assessment.cut_score_versions import cut_scores_in_force
from attest.assessment.formats import ResponseError, get_format
from attest.assessment.provenance import ClipProvenance
from attest.assessment.purposes import Purpose, Section, get_purpose
from attest.assessment.session_events import log_session_event
from attest.assessment.session_plan import (
    mark_first_used,
    new_session_item,
    session_groups,
    unit_groups,
)
from attest.audit import record_event
from attest.engine import lock_row, transaction_cache
from attest.models import (
    Admission,
    Candidate,
    ItemVersion,
    Kiosk,
    Recording,
    Response,
    SessionItem,
    SessionStatus,
    SkillResult,
    TestSession,
    User,
)
from attest.signals import session_finished


class DeliveryError(Exception):
    """A delivery step is not allowed; `code` is a stable reason for messages and tests."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


REFUSALS = {
    "time_up": "the time for this section is up",
    "section_closed": "this section is closed",
    "paused": "the session is paused",
}


def create_session(
    session: so.Session,
    candidate: Candidate,
    purpose_code: str,
    actor: User,
    now: datetime,
    code_minutes: int = 30,
    *,
    audio_provenance: Mapping[str, ClipProvenance] | None = None,
) -> tuple[TestSession, str]:
    """Create a test session for a candidate and return it with its one-time start code.

    ``audio_provenance`` (the bank's media/provenance.yaml) is given when the instance refuses
    synthetic audio (ATTEST_SYNTHETIC_AUDIO=refuse): a purpose that can then deliver a clip
    that is not human and approved gets no session (DeliveryError "unfit_audio")."""
    try:
        purpose = get_purpose(purpose_code)
    except KeyError:
        raise DeliveryError("unknown_purpose", f"unknown test purpose {purpose_code!r}") from None
    if not purpose.is_live:
        raise DeliveryError(
            "draft_purpose",
            f"test purpose {purpose_code!r} is a draft: its decisions are not accurate enough "
            "yet (see `attest purposes check`), so no session can be created for it",
        )
    if audio_provenance is not None:
        check_audio_fit(session, purpose, audio_provenance)
    ts = TestSession(
        candidate=candidate,
        centre_id=candidate.centre_id,
        purpose_code=purpose_code,
        created_by_id=actor.id,
        status=SessionStatus.CREATED,
    )
    session.add(ts)
    code = _set_start_code(ts, now, code_minutes)
    session.flush()
    record_event(session, actor, "session.create", "test_session", ts.id, purpose=purpose_code)
    return ts, code


class UnfitAudio(DeliveryError):
    """A live purpose can deliver clips that are not human and approved (`unfit` names the
    first few, `clips` counts all it can deliver)."""

    def __init__(self, purpose: Purpose, clips: int, unfit: Sequence[str]) -> None:
        super().__init__(
            "unfit_audio",
            f"test purpose {purpose.code!r} can deliver {len(unfit)} of {clips} clips that are "
            f"not human and approved (e.g. {', '.join(unfit[:3])}): record them in the audio "
            "studio, or allow synthetic audio (ATTEST_SYNTHETIC_AUDIO=allow, demo and tests only)",
        )
        self.purpose, self.clips, self.unfit = purpose, clips, tuple(unfit)


def check_audio_fit(
    session: so.Session, purpose: Purpose, audio_provenance: Mapping[str, ClipProvenance]
) -> None:
    """Raise UnfitAudio when this purpose can deliver a clip that is not human and approved."""
    from attest.assessment.studio import unfit_clips  # PyAV is loaded only when needed

    clips, unfit = unfit_clips(session, purpose, dict(audio_provenance))
    if unfit:
        raise UnfitAudio(purpose, clips, unfit)


def renew_start_code(
    session: so.Session, ts: TestSession, actor: User, now: datetime, code_minutes: int = 30
) -> str:
    """Give a session a new start code (the old one stops working).

    For a session in progress this is how it resumes after a kiosk crash or reboot: its kiosk
    is let go at once, and the code starts it again on the same or another registered kiosk.
    The session's row is locked, so that a kiosk redeeming the old code at the same moment
    either started it before (and this code resumes it) or finds its code replaced."""
    ts = lock_row(session, TestSession, ts.id)
    if ts.status not in (SessionStatus.CREATED, SessionStatus.IN_PROGRESS):
        raise DeliveryError("already_ended", "the session has ended")
    code = _set_start_code(ts, now, code_minutes)
    if ts.status is SessionStatus.IN_PROGRESS:
        ts.start_code_used_at = None
        ts.kiosk_id = None  # the old kiosk can no longer answer for this session
        log_session_event(session, ts, "resume_code", actor=actor, at=now)
        record_event(session, actor, "session.resume_code", "test_session", ts.id)
    else:
        record_event(session, actor, "session.new_code", "test_session", ts.id)
    session.flush()
    return code


def _set_start_code(ts: TestSession, now: datetime, minutes: int) -> str:
    code = codes.new_code()
    ts.start_code_hash = codes.code_hash(code)
    ts.start_code_expires_at = now + timedelta(minutes=minutes)
    return code


def redeem_start_code(
    session: so.Session,
    raw_code: str,
    kiosk: Kiosk,
    now: datetime,
    *,
    require_admission: bool = False,
    audio_provenance: Mapping[str, ClipProvenance] | None = None,
) -> TestSession:
    """Start the session a code belongs to on this kiosk; the code works once, before it expires.

    With ``require_admission`` a session whose candidate no proctor has admitted (identity
    document and test-day photo, attest.admissions) is refused and its code stays unused.
    With ``audio_provenance`` (ATTEST_SYNTHETIC_AUDIO=refuse) a session not yet begun whose
    purpose can deliver a clip that is not human and approved is refused (UnfitAudio), code
    unused: clips may have changed since the session was created. A session in progress
    resumes regardless (the candidate is not stopped halfway)."""
    if not codes.is_wellformed(raw_code):
        raise DeliveryError("bad_code", "not a start code")
    # The row lock makes a second kiosk entering the same code wait, then find it used. The
    # row is read afresh: the kiosk's own session, loaded earlier, may be this very row.
    ts = session.scalar(
        sa.select(TestSession)
        .where(TestSession.start_code_hash == codes.code_hash(raw_code))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if ts is None or ts.centre_id != kiosk.centre_id:
        raise DeliveryError("unknown_code", "unknown start code")
    resuming = ts.status is SessionStatus.IN_PROGRESS and ts.start_code_used_at is None
    if ts.start_code_used_at is not None or not (ts.status is SessionStatus.CREATED or resuming):
        raise DeliveryError("used_code", "start code already used")
    if ts.start_code_expires_at is None or ts.start_code_expires_at < now:
        raise DeliveryError("expired_code", "start code expired")
    if require_admission and not session.scalar(
        sa.select(sa.exists().where(Admission.session_id == ts.id))
    ):
        raise DeliveryError("not_admitted", "the candidate has not been admitted")
    if audio_provenance is not None and not resuming:
        check_audio_fit(session, get_purpose(ts.purpose_code), audio_provenance)
    ts.start_code_used_at = now
    ts.kiosk_id = kiosk.id
    if resuming:
        _resume_on(session, ts, kiosk, now)
        return ts
    ts.status = SessionStatus.IN_PROGRESS
    ts.started_at = ts.last_heartbeat_at = now
    purpose = get_purpose(ts.purpose_code)
    if not ts.items:  # a form fixed beforehand (by staff, or a test) is kept as it is
        if purpose.is_adaptive:
            # fixed sections are drawn now when the length is fixed (the kiosk shows "n of N");
            # otherwise items are chosen one by one as answers come in
            if not plan_leading_fixed_sections(session, ts, purpose, now):
                advance(session, ts, now)
        else:
            plan_items(session, ts, purpose, now, random.Random(ts.id))
    record_event(session, None, "session.start", "test_session", ts.id, kiosk=kiosk.id)
    session.flush()
    return ts


def _resume_on(session: so.Session, ts: TestSession, kiosk: Kiosk, now: datetime) -> None:
    """Continue a session on a kiosk after a crash: the silence since the last heartbeat is
    given back (session_clock.sync records it as an outage, however short)."""
    silent = (now - ts.last_heartbeat_at).total_seconds() if ts.last_heartbeat_at else 0.0
    session_clock.sync(session, ts, now, timeout=0.0)
    ts.sound_checked_at = None  # other headphones, or plugged in again: check once more
    log_session_event(session, ts, "resumed", at=now, kiosk=kiosk.id, silent_seconds=round(silent))
    record_event(session, None, "session.resume_on_kiosk", "test_session", ts.id, kiosk=kiosk.id)
    session.flush()


def plan_items(
    session: so.Session, ts: TestSession, purpose: Purpose, now: datetime, rng: random.Random
) -> list[SessionItem]:
    """Draw the linear form of every section, one after the other."""
    planned: list[SessionItem] = []
    for section in purpose.sections:
        planned += plan_section(session, ts, purpose, section, len(planned) + 1, now, rng)
    return planned


def plan_leading_fixed_sections(
    session: so.Session, ts: TestSession, purpose: Purpose, now: datetime
) -> list[SessionItem]:
    """In a test of fixed length whose later sections are targeted, draw the linear sections
    that come before the first targeted one, as `advance` would draw them when reached (same
    random streams). Nothing is drawn when the length can vary."""
    if purpose.has_variable_length:
        return []
    planned: list[SessionItem] = []
    for index, section in enumerate(purpose.sections):
        if section.is_targeted or section.is_adaptive:
            break
        rng = random.Random(ts.id * 10 + index)
        planned += plan_section(session, ts, purpose, section, len(planned) + 1, now, rng)
    return planned


def plan_section(
    session: so.Session,
    ts: TestSession,
    purpose: Purpose,
    section: Section,
    position: int,
    now: datetime,
    rng: random.Random,
) -> list[SessionItem]:
    """Draw a linear section from `position` on: per level, live items from easy to hard,
    with the section's pilot items (unscored) at random places among them."""
    levels = level_range(purpose.lowest_level, purpose.target_level)
    units: list[list[ItemVersion]] = []  # a testlet is one unit: its items stay together
    used = session_groups(ts)  # never two items of one enemy group in a session
    for level in levels:
        level_units = group_units(current_versions(session, section.skill, [level], "live"))
        units += enemies.draw_units(rng, level_units, section.items_per_level, unit_groups, used)
    if not units:
        raise DeliveryError("empty_bank", f"no live items for {section.skill}")
    units.sort(key=lambda unit: sum(v.difficulty for v in unit) / len(unit))
    sequence = [(v, False) for unit in units for v in unit]
    pilots = [
        v
        for v in current_versions(session, section.skill, levels, "pilot")
        if not v.item.testlet_id
    ]
    for version in enemies.draw_units(rng, pilots, section.pilot_items, _groups, used):
        # between units only, so a testlet is never split
        gaps = [0] + [
            i + 1
            for i, (v, _p) in enumerate(sequence)
            if i + 1 == len(sequence) or unit_id(sequence[i + 1][0]) != unit_id(v)
        ]
        sequence.insert(rng.choice(gaps), (version, True))
    return _place(session, ts, section, sequence, position, now)


def plan_pilots(
    session: so.Session,
    ts: TestSession,
    purpose: Purpose,
    section: Section,
    position: int,
    now: datetime,
    rng: random.Random,
) -> list[SessionItem]:
    """Seed a section's pilot items (unscored) at `position`, e.g. after an adaptive section."""
    levels = level_range(purpose.lowest_level, purpose.target_level)
    pilots = [
        v
        for v in current_versions(session, section.skill, levels, "pilot")
        if not v.item.testlet_id
    ]
    chosen = enemies.draw_units(rng, pilots, section.pilot_items, _groups, session_groups(ts))
    return _place(session, ts, section, [(v, True) for v in chosen], position, now)


def _place(
    session: so.Session,
    ts: TestSession,
    section: Section,
    sequence: Sequence[tuple[ItemVersion, bool]],
    position: int,
    now: datetime,
) -> list[SessionItem]:
    planned = []
    mark_first_used(session, [version for version, _pilot in sequence], now)  # frozen from now on
    for offset, (version, is_pilot) in enumerate(sequence):
        item = new_session_item(ts, position + offset, section.skill, version, is_pilot=is_pilot)
        session.add(item)
        planned.append(item)
    return planned


def _groups(version: ItemVersion) -> set[str]:
    return unit_groups([version])


def advance(session: so.Session, ts: TestSession, now: datetime) -> int | None:
    """Plan what comes next in an adaptive test and return its position (None: all done).

    Sections run in order: an adaptive one asks the engine for its next item until it stops;
    a linear one is drawn whole when it is reached."""
    purpose = get_purpose(ts.purpose_code)
    position = (
        session.scalar(
            sa.select(sa.func.max(SessionItem.position)).where(SessionItem.session_id == ts.id)
        )
        or 0
    ) + 1
    closed = session_clock.closed_skills(session, ts)
    for index, section in enumerate(purpose.sections):
        if section.skill in closed:
            continue  # its time ran out (or it was left): nothing more is planned in it
        if section.is_adaptive:
            item = adaptive.next_unit(session, ts, section, index, position, now)
            if item is not None:
                return item.position
            seeded = any(i.is_pilot and i.skill == section.skill for i in ts.items)
            if section.pilot_items and not seeded:
                pilots = plan_pilots(
                    session, ts, purpose, section, position, now, random.Random(ts.id * 10 + index)
                )
                if pilots:
                    return pilots[0].position
        elif section.is_targeted:
            if section.skill in targeting.planned_skills(session, ts):
                continue
            planned = targeting.plan_targeted(session, ts, purpose, section, index, position, now)
            if planned:
                return planned[0].position
        elif not any(i.skill == section.skill for i in ts.items):
            planned = plan_section(
                session, ts, purpose, section, position, now, random.Random(ts.id * 10 + index)
            )
            return planned[0].position
    return None


def maximum_length(purpose: Purpose, outline: Sequence[tuple[int, str]]) -> int:
    """Return how many questions the test has (fixed length: exactly) or can have at most.

    `outline` is the (position, skill) of every item planned so far (`item_outline`)."""
    planned = len(outline)
    if not purpose.is_adaptive:
        return planned
    targeted = {s.skill: s.tasks for s in purpose.sections if s.is_targeted}
    if not purpose.has_variable_length:  # fixed sections drawn at the start, tasks to come
        return sum(1 for _pos, skill in outline if skill not in targeted) + sum(targeted.values())
    levels = len(level_range(purpose.lowest_level, purpose.target_level))
    return max(
        planned,
        sum(
            s.cat.get("max_items", 40)
            if s.is_adaptive
            else s.tasks
            if s.is_targeted
            else s.items_per_level * levels
            for s in purpose.sections
        ),
    )


def next_position(session: so.Session, ts: TestSession, now: datetime) -> int | None:
    """Return the position the candidate should answer next, planning it if needed."""
    position = first_unanswered(session, ts)
    if position is not None or not get_purpose(ts.purpose_code).is_adaptive:
        return position
    return advance(session, ts, now)


def session_item(session: so.Session, ts: TestSession, position: int) -> SessionItem:
    """Return the item at a position of a session, or raise DeliveryError.

    Its item version and answer come with it (every caller needs them); asked again in the same
    transaction, it comes from the session's identity map without a query."""
    known = transaction_cache(session, "session_items")
    item_id = known.get((ts.id, position))
    item = session.get(SessionItem, item_id) if item_id is not None else None
    if item is None:
        item = session.scalar(
            sa.select(SessionItem)
            .where(SessionItem.session_id == ts.id, SessionItem.position == position)
            .options(so.joinedload(SessionItem.item_version), so.joinedload(SessionItem.response))
        )
        if item is None:
            raise DeliveryError("no_such_item", f"no item at position {position}")
        known[(ts.id, position)] = item.id
    return item


def item_outline(session: so.Session, ts: TestSession) -> list[tuple[int, str]]:
    """Return (position, skill) of every planned item in order, without loading the items."""
    return [
        (row.position, row.skill)
        for row in session.execute(
            sa.select(SessionItem.position, SessionItem.skill)
            .where(SessionItem.session_id == ts.id)
            .order_by(SessionItem.position)
        )
    ]


def first_unanswered(session: so.Session, ts: TestSession) -> int | None:
    """Return the position of the first item without an answer, or None when all are answered.

    Items of a closed section (its time ran out) are passed over: they stay unanswered."""
    query = (
        sa.select(sa.func.min(SessionItem.position))
        .outerjoin(Response, Response.session_item_id == SessionItem.id)
        .where(SessionItem.session_id == ts.id, Response.id.is_(None))
    )
    closed = session_clock.closed_skills(session, ts)
    if closed:
        query = query.where(SessionItem.skill.not_in(closed))
    return session.scalar(query)


def record_answer(
    session: so.Session,
    ts: TestSession,
    position: int,
    raw: Mapping[str, object],
    now: datetime,
    heartbeat_timeout: float = session_clock.TIMEOUT,
    *,
    closing: bool = False,
) -> Response:
    """Store (or replace) the answer to one item; the same answer twice changes nothing.

    An answer to a section whose time is up (by the server's clock) or that is paused is refused.
    `closing`: the server itself keeps work given before the section closed (a saved draft, an
    uploaded recording), so the clock is neither checked nor started."""
    if ts.status is not SessionStatus.IN_PROGRESS:
        raise DeliveryError("not_in_progress", "the session is not in progress")
    item = session_item(session, ts, position)
    if not closing:
        refusal = session_clock.answer_refusal(session, ts, item.skill, now, heartbeat_timeout)
        if refusal is not None:
            raise DeliveryError(refusal, REFUSALS[refusal])
        session_clock.enter_section(session, ts, item.skill, now)
    version = item.item_version
    fmt = get_format(version.format)
    try:
        value = fmt.parse_response(raw, version.content)
    except ResponseError as exc:
        raise DeliveryError("bad_response", str(exc)) from exc
    if fmt.is_blank(value):
        raise DeliveryError("no_answer", "no answer given")
    if isinstance(value, dict) and "recording_id" in value:
        recording = session.get(Recording, value["recording_id"])
        if recording is None or recording.session_item_id != item.id:
            raise DeliveryError("bad_response", "the recording does not belong to this task")
    if isinstance(value, dict) and isinstance(value.get("turns"), list):
        # A conversation: each id must be the recording of that very turn of this task.
        for turn, rec_id in enumerate(value["turns"], start=1):
            recording = session.get(Recording, rec_id) if rec_id else None
            if rec_id and (
                recording is None or recording.session_item_id != item.id or recording.turn != turn
            ):
                raise DeliveryError("bad_response", f"turn {turn}: not this turn's recording")
    # Examiner-scored answers (writing, speaking) get their score from ratings later.
    score = float(fmt.score(version.content, value)) if fmt.is_machine_scored else None
    section, index = _section_of(ts, item.skill)
    adaptive_item = section is not None and section.is_adaptive and not item.is_pilot
    if item.response is None:
        # The first answer to an item inserts its row: a second one at the same moment (a
        # queued retry under another key) waits for it, then replaces it as a later answer would.
        first = sa.select(SessionItem.id).where(SessionItem.id == item.id)
        session.scalar(first.with_for_update(key_share=True))
        session.refresh(item, ["response"])
    response = item.response
    if response is None:
        response = Response(
            session_item=item, value={"v": value}, score=score, answered_at=now, updated_at=now
        )
        session.add(response)
    elif response.value != {"v": value}:
        if adaptive_item and adaptive.is_recorded(session, ts, item.skill, version.item_id):
            # The engine chose what followed from this answer: it can no longer change.
            raise DeliveryError("locked", "this answer was used to choose the next question")
        response.value, response.score, response.updated_at = {"v": value}, score, now
    session.flush()
    if adaptive_item and score is not None:
        adaptive.record_unit(session, ts, section, index, version.item_id, score, now)
    return response


def _section_of(ts: TestSession, skill: str) -> tuple[Section | None, int]:
    for index, section in enumerate(get_purpose(ts.purpose_code).sections):
        if section.skill == skill:
            return section, index
    return None, -1


def finish_session(session: so.Session, ts: TestSession, now: datetime) -> list[SkillResult]:
    """Close the session and score each receptive skill into a level; announce it
    (`signals.session_finished`: examiner scoring queues the productive answers)."""
    if ts.status is not SessionStatus.IN_PROGRESS:
        raise DeliveryError("not_in_progress", "the session is not in progress")
    purpose = get_purpose(ts.purpose_code)
    results = []
    for skill in purpose.skills:
        rows = [
            i
            for i in ts.items
            if i.skill == skill
            and not i.is_pilot  # pilot items are never part of the candidate's score
            and get_format(i.item_version.format).is_machine_scored
        ]
        if not rows:
            continue  # a productive skill: its level comes from the examiners' ratings
        scores = [
            i.response.score if i.response and i.response.score is not None else 0.0 for i in rows
        ]
        difficulties, unit_scores = _units_for_scoring(rows, scores)
        # the version in force, as the adaptive engine read it
        cuts = cut_scores_in_force(session, skill, purpose.code)
        decision = adaptive.decision_of(session, ts, skill)
        if decision is not None:  # adaptive: the engine's conclusion, explained in its log
            level, theta, se = decision.level, decision.theta, decision.se
            probabilities = dict(decision.probabilities)
            method = (
                f"CAT {decision.decided_by}, {decision.reason}; "
                f"P({decision.level}) = {decision.probability:.2f}"
            )
        else:
            est = irt.eap_estimate(difficulties, unit_scores)
            level = cuts.level_for(est.theta, purpose.target_level)
            theta, se = est.theta, est.standard_error
            probabilities = level_probabilities(theta, se, cuts)
            method = f"Rasch EAP; {cuts.method}"
        probabilities = fold_above(probabilities, purpose.target_level)
        result = SkillResult(
            session=ts,
            skill=skill,
            level=level,
            theta=theta,
            standard_error=se,
            raw_score=sum(scores),
            max_score=float(len(rows)),
            method=method,
            probabilities=probabilities,
            is_uncertain=probabilities.get(level, 0.0) < CONFIDENT,
            cut_scores_version=cuts.version,
        )
        session.add(result)
        results.append(result)
    session_clock.close_open(session, ts, now, "done")
    ts.status, ts.completed_at = SessionStatus.COMPLETED, now
    record_event(session, None, "session.complete", "test_session", ts.id)
    session.flush()
    session_finished.send(ts, session=session, now=now)  # the examiners take over
    return results


def _units_for_scoring(
    rows: Sequence[SessionItem], scores: Sequence[float]
) -> tuple[list[float], list[float]]:
    """Turn answered items into scoring units: a testlet counts once, with its mean difficulty
    and the fraction of its questions right, so questions on one text do not overstate the
    information (a conservative stand-in for the partial-credit model the adaptive engine uses)."""
    units: dict[str, list[tuple[float, float]]] = {}
    for row, score in zip(rows, scores, strict=True):
        units.setdefault(unit_id(row.item_version), []).append((row.item_version.difficulty, score))
    difficulties = [sum(d for d, _s in parts) / len(parts) for parts in units.values()]
    fractions = [sum(s for _d, s in parts) / len(parts) for parts in units.values()]
    return difficulties, fractions
