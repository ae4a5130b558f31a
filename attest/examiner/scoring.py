"""Examiner scoring on the database: performances, allocation, ratings, the final rating, the
productive skills' results and re-marks. The rules themselves live in the pure modules
attest.assessment.rubrics (level rule, final-rating rule) and attest.assessment.allocation."""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment import allocation, rubrics
from attest.assessment.purposes import get_purpose
from attest.assessment.results import attestation_for_session, productive_items
from attest.audit import record_event
from attest.engine import lock_row
from attest.examiner import interview_service as interviews
from attest.examiner.allocation_view import examiners_of_centre, task_of, tasks_of, used_pairs
from attest.examiner.assignments import ScoringError, assign, rubric_of
from attest.examiner.band_thresholds import thresholds_for
from attest.examiner.quality import close_calibration_if_done
from attest.models import (
    Adjudication,
    AssignmentKind,
    Centre,
    Performance,
    PerformanceStatus,
    Rating,
    RatingAssignment,
    RemarkRequest,
    SkillResult,
    TestSession,
    User,
)
from attest.signals import remark_completed
from attest.vocabulary import BELOW_A1

RATED_KINDS = (AssignmentKind.LIVE, AssignmentKind.ADJUDICATION)


def create_performances(session: so.Session, ts: TestSession, now: datetime) -> list[Performance]:
    """Queue every answered speaking and writing task of a finished session for two raters."""
    created = []
    interviewed = interviews.rated_items(session, ts)
    for skill in rubrics.PRODUCTIVE:
        for item in productive_items(ts, skill):
            if item.response is None:
                continue  # unanswered: counts as below A1 in the level rule
            version = item.item_version
            perf = Performance(
                response_id=item.response.id,
                session_id=ts.id,
                centre_id=ts.centre_id,
                skill=skill,
                task_level=version.level,
                task_type=(
                    interviews.INTERVIEW_TASK_TYPE
                    if item.id in interviewed
                    else rubrics.task_type_for(skill, version.level, version.content)
                ),
                waiting_since=now,
                created_at=now,
            )
            session.add(perf)
            created.append(perf)
    session.flush()
    interviews.seed_provisional_ratings(session, created, now)  # rating 1 of an interview
    if created:
        allocate_waiting(session, ts.centre_id, now)
    update_productive_results(session, ts, now)
    return created


def allocate_waiting(session: so.Session, centre_id: int, now: datetime) -> list[int]:
    """Give raters to the centre's waiting performances and adjudicators to open
    adjudications; return the ids of performances still short of examiners.

    When there is something to allocate, the centre's row is locked first: two examiners'
    queues loading at the same moment would otherwise both give the same performance its
    two raters (four in all)."""
    if not _allocation_needed(session, centre_id):
        return []
    lock_row(session, Centre, centre_id)
    examiners = examiners_of_centre(session, centre_id)
    rng = random.Random(secrets.randbits(32))
    waiting = session.scalars(
        sa.select(Performance)
        .where(Performance.centre_id == centre_id, Performance.status == PerformanceStatus.WAITING)
        .order_by(Performance.waiting_since, Performance.id)
    ).all()
    tasks = [t for t in tasks_of(session, list(waiting)) if len(t.current) < t.needed]
    result = allocation.allocate(
        tasks, examiners, used_pairs(session, {t.candidate_id for t in tasks}), rng
    )
    by_id = {p.id: p for p in waiting}
    for perf_id, examiner_id in result.assignments:
        assign(session, by_id[perf_id], examiner_id, AssignmentKind.LIVE, now)
    for adj in session.scalars(
        sa.select(Adjudication)
        .join(Performance, Performance.id == Adjudication.performance_id)
        .where(Performance.centre_id == centre_id, Adjudication.assignment_id.is_(None))
    ):
        perf = session.get(Performance, adj.performance_id)
        senior = allocation.choose_adjudicator(task_of(session, perf), examiners, rng)
        if senior is None:
            result.unassigned.append(perf.id)
            continue
        adj.assignment_id = assign(session, perf, senior.id, AssignmentKind.ADJUDICATION, now).id
    session.flush()
    return result.unassigned


def _allocation_needed(session: so.Session, centre_id: int) -> bool:
    """Tell whether the centre has a waiting performance short of live raters in its round, or
    an adjudication without its senior (one query; the queue asks on every load)."""
    live = (
        sa.select(sa.func.count())
        .where(
            RatingAssignment.performance_id == Performance.id,
            RatingAssignment.round == Performance.round,
            RatingAssignment.kind == AssignmentKind.LIVE,
        )
        .scalar_subquery()
    )
    short = sa.exists().where(
        Performance.centre_id == centre_id,
        Performance.status == PerformanceStatus.WAITING,
        live < allocation.LIVE_RATERS,
    )
    open_adjudication = sa.exists().where(
        Adjudication.performance_id == Performance.id,
        Performance.centre_id == centre_id,
        Adjudication.assignment_id.is_(None),
    )
    return bool(session.scalar(sa.select(sa.or_(short, open_adjudication))))


def assignment_for(session: so.Session, examiner: User, token: str) -> RatingAssignment | None:
    """Return the examiner's own assignment named by a token (None for anyone else's)."""
    assignment = session.scalar(sa.select(RatingAssignment).where(RatingAssignment.token == token))
    if assignment is None or assignment.examiner_id != examiner.id:
        return None
    return assignment


def latest_rating(session: so.Session, assignment: RatingAssignment) -> Rating | None:
    """Return the newest version of the rating given in an assignment."""
    return session.scalar(
        sa.select(Rating)
        .where(Rating.assignment_id == assignment.id)
        .order_by(Rating.version.desc())
        .limit(1)
    )


def submit_rating(
    session: so.Session,
    assignment: RatingAssignment,
    examiner: User,
    bands: Mapping[str, Any],
    now: datetime,
) -> Rating:
    """Store an examiner's bands as a new rating version and move the performance on.

    The test session's row is locked first: when both raters of a performance (or the raters
    of two performances of one test) submit at the same moment, the second decides after the
    first committed and sees both ratings, so the performance is finalised (or sent to
    adjudication) and the skill's result set. The same bands saved again (a double-click)
    store nothing new and answer as the first save did."""
    if assignment.examiner_id != examiner.id:
        raise ScoringError("not_yours", "this performance is not in your queue")
    lock_row(session, TestSession, assignment.performance.session_id)
    perf = assignment.performance
    rubric = rubric_of(perf)
    problems = rubric.check(bands)
    if problems:
        raise ScoringError("bad_bands", "a band is missing or out of range", problems)
    clean = {code: int(bands[code]) for code in rubric.codes}
    previous = latest_rating(session, assignment)
    if previous is not None and previous.round == assignment.round and previous.bands == clean:
        return previous
    if assignment.kind in RATED_KINDS and assignment.round != perf.round:
        raise ScoringError("closed", "this performance has been sent for a new rating round")
    if assignment.kind in RATED_KINDS and perf.status is PerformanceStatus.FINAL:
        raise ScoringError("closed", "the final rating is set; the rating can no longer change")
    if assignment.kind is AssignmentKind.LIVE and perf.status is PerformanceStatus.ADJUDICATION:
        raise ScoringError(
            "closed", "a senior examiner is deciding; the rating can no longer change"
        )
    if (
        previous is not None
        and assignment.kind is AssignmentKind.LIVE
        and interviews.is_provisional(session, perf, examiner.id, assignment.round)
    ):
        raise ScoringError("closed", "the live examiner's provisional rating cannot change")
    if assignment.kind is AssignmentKind.CALIBRATION and assignment.completed_at is not None:
        raise ScoringError("closed", "a calibration rating cannot be changed")
    rating = Rating(
        assignment_id=assignment.id,
        performance_id=perf.id,
        examiner_id=examiner.id,
        round=assignment.round,
        kind=assignment.kind,
        version=(previous.version + 1) if previous else 1,
        bands=clean,
        level=rubrics.task_level(
            bands, perf.task_level, thresholds_for(session, perf.session, perf.skill)[1]
        ),
        created_at=now,
    )
    session.add(rating)
    assignment.completed_at = assignment.completed_at or now
    session.flush()
    action = (
        "adjudication.rate" if assignment.kind is AssignmentKind.ADJUDICATION else "rating.submit"
    )
    record_event(
        session,
        examiner,
        action,
        "rating",
        rating.id,
        performance_id=perf.id,
        round=rating.round,
        kind=assignment.kind.value,
        version=rating.version,
    )
    if assignment.kind in RATED_KINDS:
        evaluate(session, perf, now)
    elif assignment.kind is AssignmentKind.CALIBRATION:
        close_calibration_if_done(session, assignment.calibration_attempt_id, now)
    return rating


def round_ratings(
    session: so.Session, perf: Performance
) -> tuple[list[Rating], Rating | None, Adjudication | None]:
    """Return the latest live ratings and the adjudicator's rating of the current round."""
    live, third = [], None
    assignments = session.scalars(
        sa.select(RatingAssignment)
        .where(
            RatingAssignment.performance_id == perf.id,
            RatingAssignment.round == perf.round,
            RatingAssignment.kind.in_(RATED_KINDS),
        )
        .order_by(RatingAssignment.id)
    )
    for assignment in assignments:
        rating = latest_rating(session, assignment)
        if rating is None:
            continue
        if assignment.kind is AssignmentKind.LIVE:
            live.append(rating)
        else:
            third = rating
    adjudication = session.scalar(
        sa.select(Adjudication).where(
            Adjudication.performance_id == perf.id, Adjudication.round == perf.round
        )
    )
    return live, third, adjudication


def evaluate(session: so.Session, perf: Performance, now: datetime) -> rubrics.Decision:
    """Apply the final-rating rule to the current round and act on its outcome."""
    live, third, adjudication = round_ratings(session, perf)
    first = live[0].bands if len(live) > 0 else None
    second = live[1].bands if len(live) > 1 else None
    version, thresholds = thresholds_for(session, perf.session, perf.skill)
    decision = rubrics.decide(
        perf.task_level, first, second, third.bands if third else None, thresholds
    )
    if decision.status == "adjudicate" and adjudication is None:
        perf.status = PerformanceStatus.ADJUDICATION
        adjudication = Adjudication(
            performance_id=perf.id, round=perf.round, reasons=list(decision.reasons), opened_at=now
        )
        session.add(adjudication)
        session.flush()
        record_event(
            session,
            None,
            "adjudication.open",
            "performance",
            perf.id,
            round=perf.round,
            reasons=list(decision.reasons),
        )
        allocate_waiting(session, perf.centre_id, now)
    elif decision.status == "final":
        perf.status = PerformanceStatus.FINAL
        perf.final_bands = dict(decision.bands or {})
        perf.final_level, perf.final_method = decision.level, decision.method
        perf.cut_scores_version = version
        perf.finalised_at = now
        if adjudication is not None:
            adjudication.decided_at = now
        session.flush()
        record_event(
            session,
            None,
            "performance.finalise",
            "performance",
            perf.id,
            round=perf.round,
            level=perf.final_level,
            method=perf.final_method,
        )
        changed = update_productive_results(session, perf.session, now)
        _complete_remark(session, perf, changed, now)
    return decision


def update_productive_results(
    session: so.Session, ts: TestSession, now: datetime
) -> dict[str, tuple[str | None, str]]:
    """Set the level of each productive skill whose tasks all have a final rating.

    Returns {skill: (old level, new level)} for the skills whose level was set or changed."""
    purpose = get_purpose(ts.purpose_code)
    perfs = {
        p.response_id: p
        for p in session.scalars(sa.select(Performance).where(Performance.session_id == ts.id))
    }
    changed: dict[str, tuple[str | None, str]] = {}
    for skill in rubrics.PRODUCTIVE:
        items = productive_items(ts, skill)
        if not items:
            continue  # not tested, or skipped below the gate
        levels = []
        for item in items:
            perf = perfs.get(item.response.id) if item.response else None
            if perf is not None and perf.final_level is None:
                break  # still waiting for a final rating
            if perf is not None and perf.status is not PerformanceStatus.FINAL:
                break  # a re-mark is under way: keep the current result until it ends
            levels.append(perf.final_level if perf is not None else BELOW_A1)
        else:
            level = rubrics.skill_level(levels, purpose.target_level)
            version = thresholds_for(session, ts, skill)[0]  # before the result is added
            result = next((r for r in ts.results if r.skill == skill), None)
            old = result.level if result is not None else None
            if result is None:
                result = SkillResult(session=ts, skill=skill, created_at=now)
                session.add(result)
            result.level = level
            result.cut_scores_version = version
            result.raw_score = float(sum(rubrics.level_rank(v) for v in levels))
            result.max_score = float(rubrics.level_rank(purpose.target_level) * len(levels))
            result.method = f"examinatoren: {len(levels)} opdrachten, regel docs/rating.md"
            result.probabilities, result.is_uncertain = {}, False
            if old != level:
                changed[skill] = (old, level)
    session.flush()
    return changed


def request_remark(
    session: so.Session, perf: Performance, actor: User, reason: str, now: datetime
) -> RemarkRequest:
    """Send a finally rated performance to a new pair of examiners (on appeal)."""
    reason = (reason or "").strip()
    if not reason:
        raise ScoringError("no_reason", "a reason is required for a re-mark")
    if len(reason) > 500:
        raise ScoringError("reason_too_long", "the reason is longer than 500 characters")
    lock_row(session, TestSession, perf.session_id)  # a second request sees this one's round
    if perf.status is not PerformanceStatus.FINAL:
        raise ScoringError("not_final", "only a performance with a final rating can be re-marked")
    old = attestation_for_session(session, perf.session)
    perf.round += 1
    perf.status, perf.waiting_since = PerformanceStatus.WAITING, now
    request = RemarkRequest(
        performance_id=perf.id,
        round=perf.round,
        reason=reason,
        requested_by_id=actor.id,
        requested_at=now,
        previous_level=perf.final_level,
        old_attestation_id=old.id if old is not None else None,
    )
    session.add(request)
    session.flush()
    record_event(session, actor, "remark.request", "performance", perf.id, round=perf.round)
    unassigned = allocate_waiting(session, perf.centre_id, now)
    if perf.id in unassigned:
        raise ScoringError("no_pair", "no new pair of calibrated examiners is available")
    return request


def _complete_remark(
    session: so.Session,
    perf: Performance,
    changed: Mapping[str, tuple[str | None, str]],
    now: datetime,
) -> None:
    """Close the performance's open re-mark request and announce it (`remark_completed`):
    issuing, connected where the app is built, replaces the attestation when a level changed."""
    request = session.scalar(
        sa.select(RemarkRequest).where(
            RemarkRequest.performance_id == perf.id,
            RemarkRequest.round == perf.round,
            RemarkRequest.completed_at.is_(None),
        )
    )
    if request is None:
        return
    request.new_level, request.completed_at = perf.final_level, now
    remark_completed.send(request, session=session, performance=perf, changed=changed, now=now)
    session.flush()
    record_event(
        session,
        session.get(User, request.requested_by_id),
        "remark.complete",
        "performance",
        perf.id,
        round=perf.round,
        previous_level=request.previous_level,
        new_level=request.new_level,
        skill_level_changed=bool(changed),
        new_attestation_id=request.new_attestation_id,
    )


def queue_performances(ts: TestSession, *, session: so.Session, now: datetime) -> None:
    """Receiver of `session_finished`: the examiners take over the productive answers."""
    create_performances(session, ts, now)
