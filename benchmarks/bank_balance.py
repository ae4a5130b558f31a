"""Print the key balance of an item bank per skill and level (issue [11]).

    .venv/bin/python benchmarks/bank_balance.py [BANK_DIR]

Key position: how often each bank position (a, b, c, d, ...) holds a key, over single_choice
and multiple_response items, and how many of those items the kiosk shows in a per-candidate
order (shuffled) rather than in bank order. Key-longest: single_choice items whose key is the
one longest option. Then the lint findings per code, and the exceptions (lint_allow) per code.
Reads an older bank too (its shared texts are not refused here).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from attest.assessment import lint_gates, lint_rules
from attest.assessment.bank import load_bank
from attest.assessment.lint import lint
from attest.assessment.shuffle import is_shuffled


def main(root: Path) -> None:
    bank = load_bank(root, shared_stimulus_check=False)
    positions = lint_gates.key_position_table(bank.items)
    longest = lint_gates.key_longest_table(bank.items)
    shuffled = Counter(
        (i.skill, i.level)
        for i in bank.items
        if lint_gates.gated(i, "key-position") and is_shuffled(i.format, i.content)
    )
    keyed = Counter((i.skill, i.level) for i in bank.items if lint_gates.gated(i, "key-position"))
    print(f"bank {root}: {len(bank.items)} items, {len(bank.testlets())} testlets\n")
    print("| skill | level | keys a / b / c / d / e+ | top share | items shuffled | key longest |")
    print("| --- | --- | --- | --- | --- | --- |")
    for cell in sorted(positions):
        counts = positions[cell]
        total = sum(counts.values())
        split = " / ".join(str(counts.get(x, 0)) for x in "abcd")
        split += f" / {sum(n for k, n in counts.items() if k not in 'abcd')}"
        top = max(counts.values()) / total
        n_long, n_sc = longest.get(cell, (0, 0))
        share = f"{n_long}/{n_sc} ({n_long / n_sc:.0%})" if n_sc else "-"
        print(
            f"| {cell[0]} | {cell[1]} | {split} | {top:.0%} | {shuffled[cell]}/{keyed[cell]} "
            f"| {share} |"
        )
    print(
        f"\nlimits: key position {lint_rules.KEY_POSITION_MAX_SHARE:.0%} for items in bank order;"
        f" key longest {lint_rules.KEY_LONGEST_MAX_SHARE:.0%}"
    )
    try:
        findings = Counter(f.code for f in lint(bank))
    except Exception as exc:  # an older bank may not lint with today's rules
        print(f"lint: {exc}")
        return
    allowed = Counter(code for _i, code, _r in lint_gates.iter_allowances(bank.items))
    print("lint findings:", dict(sorted(findings.items())) or "none")
    print("exceptions (lint_allow):", dict(sorted(allowed.items())) or "none")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "question_banks/nl"))
