"""Standard-setting panels on the database (issue [12] item 1); callers commit.

An admin creates a panel for a skill (and purpose) with a method, adds panellists (staff with the
panellist role), and opens rounds one after another; each panellist sorts the CEFR descriptors of
the skill once (familiarisation, round 0) and gives their judgements once per round; between
rounds the panel sees the spread of its cuts and the impact data (`round_report`). Adoption turns
the last round's median cuts into a new version of the cut-score store with the panel's record,
audited; scoring reads the version in force (`assessment.cut_score_versions`), and results keep
the version that scored them.

A panellist judges only after sorting the descriptors (familiarisation).

Read-decide-write guards: opening the next round and adopting take the panel's row lock
(a double-click waits, then finds the round already opened or the panel adopted, and does
nothing more); a panellist's judgement of a round is unique (`uq_panel_judgement_round`), and
an adopted version is unique per panel and per version it replaced (`cut_score_version`:
`panel_id`, `based_on`): two adoptions on the same version cannot both be written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as so

from attest.assessment import standard_setting as ss
from attest.assessment.bank_queries import current_versions
from attest.assessment.cut_score_versions import data_in_force, store_in_force
from attest.assessment.cut_scores import CutScoreError, with_new_cuts
from attest.assessment.purposes import load_purposes
from attest.audit import record_event
from attest.engine import lock_row
from attest.models import (
    BenchmarkText,
    CutScoreVersion,
    ItemVersion,
    Panel,
    PanelJudgement,
    PanelMember,
    Role,
    SkillResult,
    User,
)
from attest.standard_setting.descriptors import descriptor_key
from attest.vocabulary import LEVELS, RECEPTIVE, SKILLS, level_range

FAMILIARISATION = 0  # the round number of a panellist's descriptor sort
MIN_ROUNDS, MAX_ROUNDS = 2, 3
IMPACT_RESULTS = 500  # the most recent results of the skill the impact data counts
MAX_NAME = 200
MAX_ROLE_LABEL = 40


class PanelError(ValueError):
    """A panel action that cannot be done; `code` is stable (the views translate it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- the admin's actions ------------------------------------------------------------------


def create_panel(
    session: so.Session,
    admin: User,
    *,
    name: str,
    skill: str,
    method: str,
    purpose_code: str | None = None,
    rounds: int = MIN_ROUNDS,
    response_probability: float = ss.RP_DEFAULT,
    now: datetime,
) -> Panel:
    """Create a panel with its material frozen: the live items' difficulties (receptive) or the
    loaded benchmark texts' mean bands (benchmarking)."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise PanelError("bad_name", f"a panel needs a name of 1 to {MAX_NAME} characters")
    if skill not in SKILLS:
        raise PanelError("bad_skill", f"unknown skill: {skill!r}")
    methods = ss.RECEPTIVE_METHODS if skill in RECEPTIVE else ss.PRODUCTIVE_METHODS
    if method not in methods:
        raise PanelError("bad_method", f"{skill} is judged with {', '.join(methods)}")
    purpose = load_purposes().get(purpose_code) if purpose_code else None
    if purpose_code and purpose is None:
        raise PanelError("bad_purpose", f"unknown purpose: {purpose_code!r}")
    if purpose is not None and not any(s.skill == skill for s in purpose.sections):
        raise PanelError("purpose_skill", f"{purpose_code} does not test {skill}")
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        raise PanelError("bad_rounds", f"a panel has {MIN_ROUNDS} or {MAX_ROUNDS} rounds")
    if not 0.5 <= response_probability < 1.0:
        raise PanelError("bad_rp", "the response probability lies in [0.5, 1)")
    material = _material(session, skill, method, purpose)
    if len(material) < 2:
        raise PanelError("no_material", f"{skill} has too little to judge (live items/benchmarks)")
    panel = Panel(
        name=name,
        skill=skill,
        purpose_code=purpose_code or None,
        method=method,
        response_probability=response_probability,
        material=material,
        status="open",
        round=1,
        max_rounds=rounds,
        created_by_id=admin.id,
        created_at=now,
    )
    session.add(panel)
    session.flush()
    record_event(
        session,
        admin,
        "panel.create",
        "panel",
        panel.id,
        skill=skill,
        method=method,
        purpose=purpose_code,
        items=len(material),
    )
    return panel


def add_panellist(
    session: so.Session, admin: User, panel_id: int, user: User, role_label: str, now: datetime
) -> PanelMember:
    """Invite a staff account with the panellist role (adding one twice refuses the second)."""
    panel = _open_panel(session, panel_id)
    if user.role is not Role.PANELLIST or not user.is_enabled:
        raise PanelError("not_panellist", "only an active account with the panellist role")
    role_label = (role_label or "").strip()
    if not role_label or len(role_label) > MAX_ROLE_LABEL:
        raise PanelError("bad_role_label", f"say what the panellist brings (1-{MAX_ROLE_LABEL})")
    member = PanelMember(panel_id=panel.id, user_id=user.id, role_label=role_label, added_at=now)
    try:
        with session.begin_nested():
            session.add(member)
    except sa_exc.IntegrityError:
        raise PanelError("already_member", "this account is already on the panel") from None
    record_event(session, admin, "panel.add_panellist", "panel", panel.id, user_id=user.id)
    return member


def open_next_round(session: so.Session, admin: User, panel_id: int, current: int) -> Panel:
    """Open the round after `current` (the round the admin saw); a second click finds it open
    and does nothing. Every panellist must have judged the current round."""
    panel = _open_panel(session, panel_id, lock=True)
    if panel.round != current:
        return panel  # opened meanwhile (a double-click): nothing more
    if panel.round >= panel.max_rounds:
        raise PanelError("last_round", "this was the panel's last round")
    missing = _members_without(session, panel, panel.round)
    if missing:
        raise PanelError("round_incomplete", f"{len(missing)} panellist(s) have not judged yet")
    panel.round += 1
    record_event(session, admin, "panel.next_round", "panel", panel.id, round=panel.round)
    return panel


# --- the panellist's actions ----------------------------------------------------------------


def submit_familiarisation(
    session: so.Session, user: User, panel_id: int, sort: Mapping[str, str], now: datetime
) -> PanelJudgement:
    """Store a panellist's sort of the skill's descriptors with its agreement with the key."""
    panel = _open_panel(session, panel_id)
    member = _member(session, panel, user)
    try:
        result = ss.familiarisation(dict(sort), descriptor_key(panel.skill))
    except ss.StandardSettingError as exc:
        raise PanelError(exc.code, str(exc)) from None
    outcome = {
        "exact": result.exact,
        "adjacent": result.adjacent,
        "spearman": result.spearman,
        "kappa": result.kappa,
        "n": result.n,
    }
    return _store(session, panel, member, FAMILIARISATION, {"sort": dict(sort)}, outcome, now)


def submit_judgement(
    session: so.Session,
    user: User,
    panel_id: int,
    round_no: int,
    data: Mapping,
    now: datetime,
) -> PanelJudgement:
    """Store a panellist's judgements of the open round with the cuts they give. Once per round:
    a second submission (a double-click) is refused by the database and changes nothing."""
    panel = _open_panel(session, panel_id)
    member = _member(session, panel, user)
    if round_no != panel.round:
        raise PanelError("round_closed", f"round {panel.round} is open, not round {round_no}")
    if not _has_judged(session, member, FAMILIARISATION):
        raise PanelError("not_familiarised", "sort the descriptors before judging")
    try:
        cuts = judgement_cuts(panel, data)
    except ss.StandardSettingError as exc:
        raise PanelError(exc.code, str(exc)) from None
    return _store(session, panel, member, round_no, dict(data), {"cuts": cuts}, now)


def judgement_cuts(panel: Panel, data: Mapping) -> dict[str, float | None]:
    """Return the cuts one panellist's judgements give under the panel's method."""
    material = {key: float(value) for key, value in panel.material.items()}
    try:
        if panel.method == "bookmark":
            booklet = ss.ordered_item_booklet(material, panel.response_probability)
            return dict(ss.bookmark_cuts(booklet, _ints(data["bookmarks"])))
        if panel.method == "angoff":
            return dict(ss.angoff_cuts(material, data["probabilities"]))
        if panel.method == "basket":
            return dict(ss.basket_cuts(material, data["baskets"]))
        return ss.benchmark_cuts(material, data["placements"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ss.StandardSettingError):
            raise
        raise ss.StandardSettingError("bad_judgement", f"malformed judgements: {exc!r}") from None


# --- feedback and result ----------------------------------------------------------------------


@dataclass(frozen=True)
class RoundReport:
    """What the panel sees after a round: each panellist's cuts, the panel's cut per level with
    its spread and standard error, agreement, and the impact data under the median cuts."""

    round: int
    cuts: dict[str, dict[str, float | None]]  # panellist label -> level -> cut
    summary: dict[str, ss.LevelSummary]
    agreement_w: float | None  # Kendall's W over the judged objects
    exact_agreement: float | None  # mean pairwise share placed alike (basket, benchmark)
    impact: dict[str, float] | None  # level -> share of recent candidates (receptive)
    impact_n: int


def round_report(session: so.Session, panel: Panel, round_no: int) -> RoundReport:
    """Return the feedback of one round (panellists are labelled P1, P2, ... in joining order)."""
    judgements = _judgements(session, panel, round_no)
    labels = _labels(panel)
    cuts = {labels[j.member_id]: j.outcome["cuts"] for j in judgements}
    summary = ss.summarise_round(cuts)
    objects = {labels[j.member_id]: _objects(panel.method, j.data) for j in judgements}
    agreement_w = ss.kendalls_w(objects) if panel.method != "bookmark" else None
    exact = None
    if panel.method in ("basket", "benchmark"):
        key = "baskets" if panel.method == "basket" else "placements"
        exact = ss.mean_pairwise_exact({labels[j.member_id]: j.data[key] for j in judgements})
    impact, impact_n = None, 0
    if panel.skill in RECEPTIVE and len(summary) == len(LEVELS):
        thetas = recent_thetas(session, panel.skill)
        impact_n = len(thetas)
        medians = {level: summary[level].median for level in LEVELS}
        impact = ss.impact(thetas, medians) if thetas else None
    return RoundReport(round_no, cuts, summary, agreement_w, exact, impact, impact_n)


def familiarisation_report(session: so.Session, panel: Panel) -> dict[str, dict]:
    """Return each panellist's agreement with the descriptor key (label -> outcome)."""
    labels = _labels(panel)
    return {labels[j.member_id]: j.outcome for j in _judgements(session, panel, FAMILIARISATION)}


def recent_thetas(session: so.Session, skill: str, limit: int = IMPACT_RESULTS) -> list[float]:
    """Return the ability estimates of the skill's most recent results (the impact data)."""
    return list(
        session.scalars(
            sa.select(SkillResult.theta)
            .where(SkillResult.skill == skill, SkillResult.theta.is_not(None))
            .order_by(SkillResult.id.desc())
            .limit(limit)
        )
    )


def last_judged_round(session: so.Session, panel: Panel) -> int | None:
    """Return the last round with judgements (None before the first)."""
    return session.scalar(
        sa.select(sa.func.max(PanelJudgement.round)).where(
            PanelJudgement.panel_id == panel.id, PanelJudgement.round > FAMILIARISATION
        )
    )


def adopt(session: so.Session, admin: User, panel_id: int, now: datetime) -> CutScoreVersion:
    """Adopt the panel's cuts (the medians of its last round) as a new version of the cut-score
    store, with the panel's record; audited. A second click finds the panel adopted and returns
    the same version. A benchmarking panel's cuts (speaking, writing) are band thresholds that
    replace the rubric's own in the level rule (docs/standard-setting.md). Refused before the
    panel's minimum rounds, for cuts the store refuses (a band threshold outside 0-4), and when
    another adoption changed the store meanwhile (the database refuses the second)."""
    panel = lock_row(session, Panel, panel_id)
    if panel is None:
        raise PanelError("no_panel", "no such panel")
    if panel.status == "adopted":
        return session.scalar(
            sa.select(CutScoreVersion).where(CutScoreVersion.panel_id == panel.id)
        )
    last = last_judged_round(session, panel)
    if last is None or last < MIN_ROUNDS or _members_without(session, panel, last):
        raise PanelError("not_ready", f"adopt after {MIN_ROUNDS} complete rounds")
    report = round_report(session, panel, last)
    try:
        if panel.method == "benchmark":  # a level without a cut keeps the threshold in force
            in_force = store_in_force(session).band_thresholds(panel.skill, panel.purpose_code)
            proposed = ss.proposed_band_cuts(report.summary, in_force)
        else:
            proposed = ss.proposed_cuts(report.summary, panel.method)
    except ss.StandardSettingError as exc:
        raise PanelError(exc.code, str(exc)) from None
    based_on = store_in_force(session).version
    version = f"panel-{panel.id}-{now:%Y%m%d}"
    record = panel_record(session, panel, report, now)
    kept = [level for level in LEVELS if level not in report.summary]
    if panel.method == "benchmark" and kept:
        record["kept"] = kept  # levels whose threshold in force the panel did not replace
    try:
        data = with_new_cuts(
            data_in_force(session), version, panel.skill, panel.purpose_code, proposed.cuts, record
        )
    except CutScoreError as exc:
        raise PanelError("bad_cuts", str(exc)) from None
    row = CutScoreVersion(
        version=version,
        based_on=based_on,
        store=data,
        panel_id=panel.id,
        adopted_by_id=admin.id,
        adopted_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except sa_exc.IntegrityError:
        raise PanelError(
            "store_changed", "the cut-score store changed meanwhile: look again and adopt anew"
        ) from None
    panel.status, panel.adopted_version = "adopted", version
    record_event(
        session,
        admin,
        "cut_scores.adopt",
        "panel",
        panel.id,
        version=version,
        based_on=based_on,
        skill=panel.skill,
        purpose=panel.purpose_code,
        cuts=proposed.cuts,
    )
    return row


def panel_record(session: so.Session, panel: Panel, report: RoundReport, now: datetime) -> dict:
    """Return the record an adopted version carries: method, date, panel size and roles,
    rounds, the standard errors and agreement of the last round."""
    roles = Counter(m.role_label for m in panel.members)
    method = {"bookmark": f"Bookmark (RP{round(panel.response_probability * 100)})"}.get(
        panel.method,
        {
            "angoff": "modified Angoff",
            "basket": "Basket (CEFR Manual 2009)",
            "benchmark": "benchmarking (rubric band thresholds)",
        }.get(panel.method, panel.method),
    )
    return {
        "method": f"standard setting: {method}, median of {len(report.cuts)} panellists",
        "source": "Council of Europe, Relating Language Examinations to the CEFR (2009), "
        "ch. 6: https://rm.coe.int/1680667a2d",
        "date": now.date().isoformat(),
        "panel": f"#{panel.id} {panel.name}: {len(panel.members)} panellists ("
        + ", ".join(f"{label} {n}" for label, n in sorted(roles.items()))
        + ")",
        "panel_id": panel.id,
        "rounds": report.round,
        "se": {level: round(s.se, 4) for level, s in report.summary.items()},
        "sd": {level: round(s.sd, 4) for level, s in report.summary.items()},
        "agreement_w": None if report.agreement_w is None else round(report.agreement_w, 4),
    }


# --- helpers --------------------------------------------------------------------------------


def _material(session: so.Session, skill: str, method: str, purpose=None) -> dict[str, float]:
    """Return what the panel judges: the benchmark performances' mean bands, or the live items'
    difficulties of the purpose's pool: the levels its linear section draws from, or the whole
    live bank its adaptive section selects from (all live items without a purpose)."""
    if method == "benchmark":
        texts = session.scalars(sa.select(BenchmarkText).where(BenchmarkText.skill == skill))
        return {t.id: sum(t.bands.values()) / len(t.bands) for t in texts if t.bands}
    levels = LEVELS
    section = next((s for s in purpose.sections if s.skill == skill), None) if purpose else None
    if section is not None and not section.is_adaptive:
        levels = level_range(purpose.lowest_level, purpose.target_level)
    return {
        v.item_id: float(v.difficulty)
        for v in current_versions(session, skill, levels, machine_scored=True)
    }


def booklet_versions(session: so.Session, panel: Panel) -> dict[str, ItemVersion]:
    """Return the item versions a receptive panel judges, by item id: the version whose
    difficulty was frozen into the panel (the newest such), else the current one."""
    if panel.method == "benchmark":
        return {}
    ids = list(panel.material)
    versions = session.scalars(
        sa.select(ItemVersion)
        .where(ItemVersion.item_id.in_(ids))
        .order_by(ItemVersion.item_id, ItemVersion.version)
    )
    out: dict[str, ItemVersion] = {}
    for version in versions:
        frozen = float(panel.material[version.item_id])
        kept = out.get(version.item_id)
        if kept is None or abs(float(version.difficulty) - frozen) <= abs(
            float(kept.difficulty) - frozen
        ):
            out[version.item_id] = version
    return out


def _open_panel(session: so.Session, panel_id: int, lock: bool = False) -> Panel:
    panel = lock_row(session, Panel, panel_id) if lock else session.get(Panel, panel_id)
    if panel is None:
        raise PanelError("no_panel", "no such panel")
    if panel.status != "open":
        raise PanelError("panel_closed", "the panel's cuts are adopted; it takes no more changes")
    return panel


def _member(session: so.Session, panel: Panel, user: User) -> PanelMember:
    member = session.scalar(
        sa.select(PanelMember).where(
            PanelMember.panel_id == panel.id, PanelMember.user_id == user.id
        )
    )
    if member is None:
        raise PanelError("not_member", "you are not on this panel")
    return member


def _store(
    session: so.Session,
    panel: Panel,
    member: PanelMember,
    round_no: int,
    data: dict,
    outcome: dict,
    now: datetime,
) -> PanelJudgement:
    judgement = PanelJudgement(
        panel_id=panel.id,
        member_id=member.id,
        round=round_no,
        data=data,
        outcome=outcome,
        submitted_at=now,
    )
    try:
        with session.begin_nested():
            session.add(judgement)
    except sa_exc.IntegrityError:
        raise PanelError("already_submitted", "you already submitted this round") from None
    return judgement


def _has_judged(session: so.Session, member: PanelMember, round_no: int) -> bool:
    return (
        session.scalar(
            sa.select(PanelJudgement.id).where(
                PanelJudgement.member_id == member.id, PanelJudgement.round == round_no
            )
        )
        is not None
    )


def _judgements(session: so.Session, panel: Panel, round_no: int) -> list[PanelJudgement]:
    return list(
        session.scalars(
            sa.select(PanelJudgement)
            .where(PanelJudgement.panel_id == panel.id, PanelJudgement.round == round_no)
            .order_by(PanelJudgement.member_id)
        )
    )


def _members_without(session: so.Session, panel: Panel, round_no: int) -> list[PanelMember]:
    done = {j.member_id for j in _judgements(session, panel, round_no)}
    return [m for m in panel.members if m.id not in done]


def _labels(panel: Panel) -> dict[int, str]:
    return {member.id: f"P{i}" for i, member in enumerate(panel.members, start=1)}


def _objects(method: str, data: Mapping) -> dict[str, float]:
    if method == "angoff":  # the mean probability per item over the levels
        per_level = data["probabilities"]
        items = next(iter(per_level.values())).keys()
        return {i: sum(float(per_level[lv][i]) for lv in LEVELS) / len(LEVELS) for i in items}
    if method == "basket":
        return {k: float(LEVELS.index(v)) for k, v in data["baskets"].items()}
    if method == "benchmark":
        return {k: float(v) for k, v in ss.level_ranks(data["placements"]).items()}
    return {level: float(page) for level, page in data["bookmarks"].items()}


def _ints(values: Mapping) -> dict[str, int]:
    return {key: int(value) for key, value in values.items()}
