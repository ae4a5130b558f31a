"""Adaptive sections of a test session: the CAT engine (cat.py) over the live bank, its state
stored with the session so every choice and the stopping reason can be explained later.

Exposure control is the item-eligibility method (exposure.EligibilityCounts): a new section
starts with eligibility probabilities from the stored states of the most recent sections of the
same skill and engine mode (``EXPOSURE_WINDOW`` of them), and keeps its ineligible units in its
own state, which later sections count in turn."""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

import numpy as np
import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.cat import CatConfig, CatEngine, CatItem, CatState, StopDecision
from attest.assessment.cut_score_versions import stamps, store_in_force
from attest.assessment.exposure import EligibilityCounts, adaptive_modes, exposure_key
from attest.assessment.formats import FORMATS
from attest.assessment.irt import ItemParams, testlet_params
from attest.assessment.purposes import Section, load_purposes
from attest.assessment.session_plan import mark_ids_first_used, planned_item, session_groups
from attest.engine import bind_key, transaction_cache, transaction_cache_has
from attest.models import (
    BankState,
    CutScoreVersion,
    Item,
    ItemVersion,
    Response,
    SectionAttempt,
    SectionLogEntry,
    SessionItem,
    TestSession,
)
from attest.vocabulary import LEVELS

EXPOSURE_WINDOW = 2000  # recent sections counted; older ones weigh little with fading 0.999


class UnitPart(NamedTuple):
    """One question of a delivery unit: its current version and item, with the version's
    format and content (what a new session item needs: its option order is drawn from them)."""

    version_id: int
    item_id: str
    format: str
    content: dict


def engine_for(
    session: so.Session, section: Section, purpose: str | None = None
) -> tuple[CatEngine, dict[str, tuple[UnitPart, ...]]]:
    """Return the engine of a section over the live bank of its skill, with the questions of
    each unit (a testlet is one partial-credit unit, `T:<testlet id>`).

    The engine is pure and its caches are keyed by the whole state, so one engine serves every
    session of the same bank and settings: it is kept per process, keyed by the bank's stamp
    (models.BankState, which database triggers change with every write to what the engine
    reads of the bank, by any process). Checking that a kept engine is still current is one
    primary-key read, which also gives the stamp of the cut-score versions (the cuts in force
    for the skill in `purpose`, kept per process the same way); the live bank is read only
    when the stamp is new. Within one transaction the engine found is kept (a request asks for
    it when it records the answer and again when it plans the next item), until the
    transaction writes to the bank or the cut scores through this session (`_forget_engines`)."""
    known = transaction_cache(session, _MEMO_ENGINES)
    memo_key = (section.skill, purpose, _settings_text(section))
    found = known.get(memo_key)
    if found is not None:
        return found
    stamp, cut_stamp = known.get(_STAMPS_READ) or stamps(session)
    transaction_cache(session, _MEMO_STAMP)["bank"] = stamp
    cuts = store_in_force(session, cut_stamp).cuts(section.skill, purpose).cuts
    # the engine's settings are the section's and the cuts: the config is made on a miss only
    settings = (memo_key[2], tuple(sorted(cuts.items())))
    if stamp is None:  # no bank_state row (emptied by hand): key by the live rows themselves
        key: tuple = (section.skill, settings, "rows", _live_units(session, section.skill))
    else:
        key = (section.skill, settings, bind_key(session), stamp)
    cached = _ENGINES.get(key)
    if cached is None:
        rows = key[3] if stamp is None else _live_units(session, section.skill)
        cached = _build_engine(rows, CatConfig(**{"cuts": cuts, **section.cat}))
        if len(_ENGINES) >= MAX_ENGINES:
            _ENGINES.clear()
        _ENGINES[key] = cached
    known[memo_key] = cached
    return cached


_MEMO_ENGINES = "cat_engines"
_SETTINGS_TEXT: dict[int, tuple[Section, str]] = {}


def _settings_text(section: Section) -> str:
    """Return repr(section.cat), made once per loaded section (the purposes are loaded once)."""
    kept = _SETTINGS_TEXT.get(id(section))
    if kept is None or kept[0] is not section:
        if len(_SETTINGS_TEXT) > 256:
            _SETTINGS_TEXT.clear()
        kept = _SETTINGS_TEXT[id(section)] = (section, repr(section.cat))
    return kept[1]


_MEMO_STAMP = "bank_stamp"  # the bank's stamp engine_for read in this transaction
_BANK_TYPES = (Item, ItemVersion, CutScoreVersion, BankState)


@sa.event.listens_for(so.Session, "after_flush")
def _forget_engines_after_flush(session: so.Session, _context) -> None:
    """A flush that writes the bank or the cut scores ends the transaction's kept engines."""
    if transaction_cache_has(session, _MEMO_ENGINES) and any(
        isinstance(obj, _BANK_TYPES)
        for objects in (session.new, session.dirty, session.deleted)
        for obj in objects
    ):
        transaction_cache(session, _MEMO_ENGINES).clear()


@sa.event.listens_for(so.Session, "do_orm_execute")
def _forget_engines_on_dml(state: so.ORMExecuteState) -> None:
    """So does any INSERT, UPDATE or DELETE statement run through the session."""
    if (state.is_insert or state.is_update or state.is_delete) and transaction_cache_has(
        state.session, _MEMO_ENGINES
    ):
        transaction_cache(state.session, _MEMO_ENGINES).clear()


MAX_ENGINES = 16  # skills x engine settings x bank states kept per process
_ENGINES: dict[tuple, tuple[CatEngine, dict[str, tuple[UnitPart, ...]]]] = {}


def _live_units(session: so.Session, skill: str) -> tuple[tuple, ...]:
    """Read what the engine needs of the skill's live machine-scored items, as plain rows
    (version id, item id, difficulty, format, domain, testlet, enemy groups, content as JSON
    text), as current_versions selects. Every column read here is covered by the bank_state
    triggers (migrations 0027, 0050), so the rows kept under a stamp stay true."""
    rows = session.execute(
        sa.select(
            ItemVersion.id,
            ItemVersion.item_id,
            ItemVersion.difficulty,
            ItemVersion.format,
            Item.domain,
            Item.testlet_id,
            Item.enemy_groups,
            sa.cast(ItemVersion.content, sa.Text),
        )
        .join(Item, Item.id == ItemVersion.item_id)
        .where(
            Item.skill == skill,
            Item.level.in_(LEVELS),
            Item.status == "live",
            ItemVersion.version == Item.current_version,
        )
        .order_by(Item.id)
    )
    return tuple(
        # the groups as a tuple and the content as text: part of a cache key
        (*row[:6], tuple(sorted(row[6] or ())), row[7])
        for row in rows
        if row[3] in FORMATS and FORMATS[row[3]].is_machine_scored
    )


def _build_engine(
    rows: tuple[tuple, ...], config: CatConfig
) -> tuple[CatEngine, dict[str, tuple[UnitPart, ...]]]:
    groups: dict[str, list[tuple]] = {}  # units in the order of their first item (group_units)
    for row in rows:
        groups.setdefault(f"T:{row[5]}" if row[5] else row[1], []).append(row)
    units, cat_items = {}, []
    for uid, group in groups.items():
        group.sort(key=lambda r: r[1])
        _vid, _iid, difficulty, fmt, domain, testlet, _groups, _content = group[0]
        cat_items.append(
            CatItem(
                id=uid,
                params=testlet_params([r[2] for r in group])
                if len(group) > 1 or testlet
                else ItemParams(b=difficulty),
                domain=domain,
                format=fmt,
                parts=tuple(r[1] for r in group) if testlet else (),
                enemies=tuple(sorted({g for r in group for g in r[6]})),
            )
        )
        units[uid] = tuple(UnitPart(r[0], r[1], r[3], json.loads(r[7])) for r in group)
    return CatEngine(cat_items, config, np.random.default_rng(0)), units


def exposure_counts(
    session: so.Session, section: Section, unit_ids: list[str]
) -> EligibilityCounts:
    """Count the stored states of the recent sections with this section's skill and engine mode
    (any purpose that uses the mode), oldest first, for the item-eligibility method."""
    uses = adaptive_modes(load_purposes()).get((section.skill, exposure_key(section.cat)), [])
    codes = sorted({code for code, _section in uses})
    rows = session.execute(
        sa.select(
            SectionAttempt.stored_state["items"],
            SectionAttempt.stored_state["ineligible"],
            SectionAttempt.stored_state["strata"],
            SectionAttempt.stored_state["stratum_ineligible"],
        )
        .join(TestSession, TestSession.id == SectionAttempt.session_id)
        .where(SectionAttempt.skill == section.skill, TestSession.purpose_code.in_(codes))
        .order_by(SectionAttempt.id.desc())
        .limit(EXPOSURE_WINDOW)
    ).all()
    states = [
        {"items": items or [], "ineligible": ineligible, "strata": strata, "stratum_ineligible": si}
        for items, ineligible, strata, si in rows
    ]
    return EligibilityCounts.from_states(unit_ids, reversed(states))


# The section's state with the bank's stamps (the row engine_for checks its kept engine
# against) in one statement: an answer's request needs both.
_ATTEMPT = (
    sa.select(SectionAttempt, BankState.stamp, BankState.cut_stamp)
    .outerjoin(BankState, BankState.id == 1)
    .where(
        SectionAttempt.session_id == sa.bindparam("session_id"),
        SectionAttempt.skill == sa.bindparam("skill"),
    )
)
_STAMPS_READ = "stamps"  # (bank stamp, cut stamp) read with a section's state


def stored_attempt(session: so.Session, ts: TestSession, skill: str) -> SectionAttempt | None:
    """Return the stored state of a session's section, or None if it has not started.

    Read once per transaction (the request that records an answer and plans the next item asks
    three times): the row is kept in the transaction's cache as the session's own object (not
    its key: the session holds clean objects only weakly), so it comes back with every change
    this transaction made to it. A section not found is not kept: a later call reads again
    (another request may open it meanwhile)."""
    known = transaction_cache(session, "section_attempts")
    attempt = known.get((ts.id, skill))
    if attempt is None:
        row = session.execute(_ATTEMPT, {"session_id": ts.id, "skill": skill}).first()
        if row is not None:
            attempt = known[(ts.id, skill)] = row[0]
            # kept with the engines: forgotten with them when the transaction writes the bank
            transaction_cache(session, _MEMO_ENGINES).setdefault(_STAMPS_READ, (row[1], row[2]))
    return attempt


def attempt_for(
    session: so.Session, ts: TestSession, section: Section, index: int
) -> SectionAttempt:
    """Return the section's stored state, opening it at the engine's entry point if new."""
    attempt = stored_attempt(session, ts, section.skill)
    if attempt is None:
        engine, _ = engine_for(session, section, ts.purpose_code)
        counts = exposure_counts(session, section, [unit.id for unit in engine.bank])
        # reproducible from the session: the seed, and the ineligible units kept in the state
        state = engine.start(
            seed=ts.id * 10 + index,
            eligibility=counts.probabilities(),
            stratum_eligibility=counts.stratum_probabilities(),
        )
        attempt = SectionAttempt(
            session_id=ts.id, skill=section.skill, stored_state=state.to_dict()
        )
        session.add(attempt)
        session.flush()
        transaction_cache(session, "section_attempts")[(ts.id, section.skill)] = attempt
    return attempt


def next_unit(
    session: so.Session,
    ts: TestSession,
    section: Section,
    index: int,
    position: int,
    now: datetime,
) -> SessionItem | None:
    """Plan the engine's next item at `position`, or close the section and return None."""
    attempt = attempt_for(session, ts, section, index)
    if attempt.stopped_at is not None:
        return None
    engine, versions = engine_for(session, section, ts.purpose_code)
    state = CatState.from_dict(attempt.stored_state)
    unit = engine.next_item(state, session_groups(ts, skip_skill=section.skill))
    if unit is None:
        decision = engine.should_stop(state)
        if decision is not None and state.stop is None:
            state.stop = decision.to_dict()
            attempt.stored_state = state.to_dict()
        attempt.stopped_at = now
        return None
    parts = versions[unit.id]  # a testlet's questions in a row
    stamp = transaction_cache(session, _MEMO_STAMP).get("bank")
    mark_ids_first_used(session, [part.version_id for part in parts], now, stamp)
    first = None
    for offset, part in enumerate(parts):
        item = planned_item(
            ts, position + offset, section.skill, part.version_id, part.item_id, part.format,
            part.content,
        )  # fmt: skip
        session.add(item)
        first = first or item
    # Not flushed here: the new rows go with the request's next statement or its commit (one
    # flush for the request; the unique position per session still refuses a second plan).
    return first


def record_unit(
    session: so.Session,
    ts: TestSession,
    section: Section,
    index: int,
    item_id: str,
    score: float,
    now: datetime,
) -> None:
    """Feed a scored answer to the engine (partial credit is rounded) and keep its state.

    A testlet is fed once all its questions are answered, with the number right as its score."""
    attempt = attempt_for(session, ts, section, index)
    state = CatState.from_dict(attempt.stored_state)
    engine, units = engine_for(session, section, ts.purpose_code)
    if item_id in units:  # a unit of one question (a testlet's id starts with "T:")
        uid = item_id
    else:
        item = session.get(Item, item_id)
        uid = f"T:{item.testlet_id}" if item is not None and item.testlet_id else item_id
    if uid in state.items:
        return
    if uid not in units:
        # Retired or versioned out of the live bank during the session: the answer is kept,
        # but the engine can only estimate from items it still knows.
        return
    if uid != item_id:
        # the scores of the testlet's questions planned in this session, in one query
        scores = session.scalars(
            _TESTLET_SCORES, {"session_id": ts.id, "testlet": uid.removeprefix("T:")}
        ).all()
        if not scores or any(s is None for s in scores):
            return  # wait for the testlet's other questions
        score = sum(round(s) for s in scores)
    new = engine.record(state, uid, int(round(score)), session_groups(ts, skip_skill=section.skill))
    # The log entry is one new row; the state written per answer keeps no growing log (only
    # what a session from before migration 0034 kept there, read first by SectionAttempt.state).
    entry = new.log[-1]
    session.add(SectionLogEntry(attempt_id=attempt.id, step=entry["step"], entry=entry))
    new.log = state.log
    attempt.stored_state = new.to_dict()  # a new dict, so the JSON column is written
    if new.stop is not None:
        attempt.stopped_at = now


_TESTLET_SCORES = (
    sa.select(Response.score)
    .select_from(SessionItem)
    .join(ItemVersion, ItemVersion.id == SessionItem.item_version_id)
    .join(Item, Item.id == ItemVersion.item_id)
    .outerjoin(Response, Response.session_item_id == SessionItem.id)
    .where(
        SessionItem.session_id == sa.bindparam("session_id"),
        SessionItem.is_pilot.is_(False),
        Item.testlet_id == sa.bindparam("testlet"),
    )
)


def is_recorded(session: so.Session, ts: TestSession, skill: str, item_id: str) -> bool:
    """Tell whether the engine has already taken an answer to this item (or its testlet) in."""
    attempt = stored_attempt(session, ts, skill)
    item = session.get(Item, item_id)
    uid = f"T:{item.testlet_id}" if item is not None and item.testlet_id else item_id
    return attempt is not None and uid in attempt.stored_state.get("items", [])


def decision_of(session: so.Session, ts: TestSession, skill: str) -> StopDecision | None:
    """Return how a finished adaptive section ended (level, probabilities, reason)."""
    attempt = stored_attempt(session, ts, skill)
    if attempt is None or not attempt.stored_state.get("stop"):
        return None
    return StopDecision(**attempt.stored_state["stop"])
