"""Retake rules per test purpose, as data: when may a person try the same purpose again?

A rule has a minimum number of days between two attempts of the same purpose, a maximum number
of attempts within any 365 days ("per 12 months") and the fee of an attempt. `decide` takes the
dates of the earlier attempts and says whether a new one is allowed now and, if not, from which
day on it will be.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).with_name("data") / "retake_rules.yaml"
YEAR = timedelta(days=365)


class RetakeRulesError(ValueError):
    """The retake rules file is malformed."""


@dataclass(frozen=True)
class RetakeRule:
    min_days_between: int
    max_attempts_per_12_months: int
    fee_cents: int


@dataclass(frozen=True)
class RetakeDecision:
    """Whether an attempt is allowed on a day; if not, why and from which day on it is."""

    is_allowed: bool
    reason: str | None = None  # "too_soon" | "too_many"
    next_allowed_on: date | None = None


def _rule(raw: Mapping[str, Any], where: str) -> RetakeRule:
    try:
        days = int(raw["min_days_between"])
        most = int(raw["max_attempts_per_12_months"])
        fee = Decimal(str(raw["fee_eur"]))
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise RetakeRulesError(f"{where}: {exc!r}") from None
    if days < 0 or most < 1 or fee < 0 or fee != fee.quantize(Decimal("0.01")):
        raise RetakeRulesError(f"{where}: days >= 0, attempts >= 1, a fee in whole cents")
    return RetakeRule(days, most, int(fee * 100))


@lru_cache(maxsize=4)
def load_rules(path: Path = DATA_FILE) -> tuple[RetakeRule, Mapping[str, RetakeRule]]:
    """Return the default rule and the rules per purpose code."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "default" not in data:
        raise RetakeRulesError("expected a mapping with `default` and `purposes`")
    purposes = data.get("purposes") or {}
    return _rule(data["default"], "default"), {
        code: _rule(raw, code) for code, raw in purposes.items()
    }


def rule_for(purpose_code: str, path: Path = DATA_FILE) -> RetakeRule:
    """Return the retake rule of a purpose (the default when it has none of its own)."""
    default, purposes = load_rules(path)
    return purposes.get(purpose_code, default)


def decide(rule: RetakeRule, attempts: Iterable[date], today: date) -> RetakeDecision:
    """Decide whether a new attempt is allowed today, given the days of the earlier attempts."""
    earlier = sorted(day for day in attempts if day <= today)
    not_before = today
    reason = None
    if earlier and rule.min_days_between:
        after_last = earlier[-1] + timedelta(days=rule.min_days_between)
        if after_last > not_before:
            not_before, reason = after_last, "too_soon"
    in_year = [day for day in earlier if day > today - YEAR]
    if len(in_year) >= rule.max_attempts_per_12_months:
        # allowed again on the day the oldest attempt that still counts leaves the 365 days
        freed = in_year[len(in_year) - rule.max_attempts_per_12_months] + YEAR
        if freed > not_before:
            not_before, reason = freed, "too_many"
    if reason is None:
        return RetakeDecision(True)
    return RetakeDecision(False, reason, not_before)


def decide_booking(rule: RetakeRule, attempts: Iterable[date], day: date) -> RetakeDecision:
    """Decide whether an attempt may be booked on `day`, given the days of the person's other
    attempts, taken or booked, earlier or later.

    A booking is a planned attempt, so it must satisfy `decide` for its own day and must not make
    an attempt already booked for a later day break the rules (booking the earlier of two slots
    a week apart after the later one would otherwise pass: reason "before_booked", with the
    later attempt's day as `next_allowed_on`'s stand-in for the message)."""
    attempts = sorted(attempts)
    own = decide(rule, attempts, day)
    if not own.is_allowed:
        return own
    for i, later in enumerate(attempts):
        if later <= day:
            continue
        others = attempts[:i] + attempts[i + 1 :]
        was_allowed = decide(rule, others, later).is_allowed
        if was_allowed and not decide(rule, [*others, day], later).is_allowed:
            return RetakeDecision(False, "before_booked", later)
    return RetakeDecision(True)
