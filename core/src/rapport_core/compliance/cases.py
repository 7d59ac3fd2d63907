"""Running the example cases of packs: every case of a pack's own rules is evaluated against
the whole pack (inherited rules included). ``fire`` passes only if its rule fires and
``none`` only if it does not; ``todo`` cases are reported, not run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rapport_core.compliance import documents
from rapport_core.compliance.evaluation import compile_packs
from rapport_core.compliance.packs import Pack, Rule


@dataclass(frozen=True)
class CaseResult:
    pack_id: str
    rule_id: str
    name: str
    expect: str
    outcome: str  # passed | failed | todo
    detail: str
    file: Path
    line: int

    @property
    def label(self) -> str:
        return f"{self.rule_id} :: {self.name}"


def run_case(pack: Pack, rule: Rule, index: int, compiled=None) -> CaseResult:
    case = rule.spec.cases[index]
    common = dict(
        pack_id=pack.id,
        rule_id=rule.id,
        name=case.name,
        expect=case.expect,
        file=rule.file,
        line=rule.case_line(index),
    )
    if case.expect == "todo":
        return CaseResult(outcome="todo", detail="still to be written", **common)
    compiled = compiled or compile_packs([pack])
    document = documents.merged(case.facts)
    findings = compiled.evaluate(document)
    fired = {f.rule_id for f in findings if f.pack_id == pack.id}
    others = sorted(fired - {rule.id})
    also = f" (also fired: {', '.join(others)})" if others else ""
    if case.expect == "fire" and rule.id not in fired:
        return CaseResult(
            outcome="failed", detail=f"expected {rule.id} to fire; it did not{also}", **common
        )
    if case.expect == "none" and rule.id in fired:
        finding = next(f for f in findings if f.rule_id == rule.id)
        return CaseResult(
            outcome="failed",
            detail=f"expected no {rule.id} finding; it fired: {finding.message}",
            **common,
        )
    return CaseResult(
        outcome="passed",
        detail="fired" if case.expect == "fire" else f"did not fire{also}",
        **common,
    )


def run_pack(pack: Pack) -> list[CaseResult]:
    compiled = compile_packs([pack])
    return [
        run_case(pack, rule, index, compiled)
        for rule in sorted(pack.rules, key=lambda r: r.id)
        for index in range(len(rule.spec.cases))
    ]
