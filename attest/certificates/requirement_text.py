"""Say a requirement judgement plainly: the JSON of the API and the Dutch sentence of the PDF.

Pure: no Flask. The web page says the same through gettext in its template."""

from __future__ import annotations

from typing import Any

from attest.certificates import requirements as rq

SKILL_NL = {
    "listening": "luisteren",
    "reading": "lezen",
    "speaking": "spreken",
    "writing": "schrijven",
}
LEVEL_NL = {None: "niet getest", "below_A1": "onder A1"}


def _dmy(day) -> str:
    return day.strftime("%d-%m-%Y")


def judgement_json(j: rq.Judgement) -> dict[str, Any]:
    """Return the API document of a judgement: the rule, its source, the outcome and why."""
    rule = j.profile
    return {
        "profile": j.code,
        "title": j.title,
        "outcome": j.outcome,
        "meets": j.meets,
        "indication_only": bool(rule and rule.is_indication),
        "decided_by": rule.decided_by if rule else None,
        "deciding_date": j.deciding_date.isoformat() if j.deciding_date else None,
        "deadline": j.deadline.isoformat() if j.deadline else None,
        "extension_months": rule.extension_months if rule else None,
        "rule": None
        if rule is None
        else {
            "valid_from": rule.valid_from.isoformat() if rule.valid_from else None,
            "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
            "requirements": dict(rule.requirements),
            "note": rule.note,
            "sources": [{"url": s.url, "reference": s.reference} for s in rule.sources],
        },
        "shortfalls": [
            {"skill": s, "level": got, "needed": need, "why": why}
            for s, got, need, why in j.shortfalls
        ],
    }


def _why_nl(skill: str, got: str | None, needed: str, why: str) -> str:
    name = SKILL_NL.get(skill, skill)
    if why == "interaction":
        return f"{name}: gesprekken voeren is niet getest (alleen een monoloog)"
    if why == "beyond_test":
        return f"{name}: {needed} gevraagd, hoger dan deze test meet"
    if got is None:
        return f"{name}: niet getest, {needed} gevraagd"
    return f"{name}: {LEVEL_NL.get(got, got)}, {needed} gevraagd"


def _levels_nl(wanted) -> str:
    return ", ".join(f"{lvl} {SKILL_NL.get(s, s)}" for s, lvl in wanted.items())


def verdict_nl(j: rq.Judgement) -> tuple[str, list[str]]:
    """Return the Dutch verdict of the PDF and the reasons when the requirement is not met."""
    rule = j.profile
    reasons = [_why_nl(*s) for s in j.shortfalls]
    if j.outcome == rq.MEETS:
        return f"Voldoet aan: {j.title}.", []
    if j.outcome == rq.NO_LEVEL:
        return f"{j.title}: er geldt geen taalniveau. {rule.note if rule else ''}".strip(), []
    if j.outcome == rq.REACHES:
        return (
            f"Niveau-indicatie {j.title}: dit attest bereikt {_levels_nl(rule.requirements)}. "
            "Of het als bewijs aanvaard wordt, beslist de bevoegde overheid.",
            [],
        )
    if j.outcome == rq.DOES_NOT_REACH:
        return (
            f"Niveau-indicatie {j.title}: dit attest bereikt niet "
            f"{_levels_nl(rule.requirements)}. Of een bewijs aanvaard wordt, beslist de "
            "bevoegde overheid.",
            reasons,
        )
    if j.outcome == rq.INTERACTION_UNCONFIRMED:
        return (
            f"{j.title}: de niveaus zijn bereikt, maar gesprekken voeren kan een monoloog niet "
            "aantonen; dit attest bevestigt die vereiste niet.",
            reasons,
        )
    if j.outcome == rq.CONDITIONAL:
        cond = rule.conditional
        return (
            f"Voldoet niet volledig aan {j.title}; {_levels_nl(cond.requirements)} werd tot "
            f"{_dmy(cond.until)} aanvaard samen met {cond.document}.",
            reasons,
        )
    if j.outcome == rq.NEEDS_LEASE_START:
        return "Sociale huur: de regel hangt af van de startdatum van het huurcontract.", []
    if j.outcome == rq.NO_RULE:
        return f"{j.title}: op de beslissende datum gold geen regel.", []
    return f"Voldoet niet aan: {j.title}.", reasons
