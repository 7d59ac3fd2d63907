"""A rule in plain words, for ``rapport rulepack explain`` and the pack browser."""

from __future__ import annotations

import textwrap

from rapport_core.compliance import conditions
from rapport_core.compliance.evaluation import gate
from rapport_core.compliance.packs import Catalog


def explain(catalog: Catalog, rule_id: str) -> str | None:
    found = catalog.rule(rule_id)
    if found is None:
        return None
    pack, rule = found
    spec = rule.spec
    applies = [conditions.describe(node) for node in (*gate(pack, [pack]), *rule.applies)]
    lines = [
        f"{spec.id}  ({spec.severity}, about the {spec.subject})",
        f"  {spec.title}",
        f"  pack: {pack.id} {pack.meta.version} — {pack.meta.title}",
        f"  citation: {spec.citation.text}"
        + (f" <{spec.citation.url}>" if spec.citation.url else ""),
    ]
    if spec.replaces:
        lines.append(f"  replaces: {spec.replaces}")
    lines.append("  applies when: " + ("; ".join(applies) if applies else "always"))
    lines.append("  fires when: " + conditions.describe(rule.when))
    lines.append("  reads: " + ", ".join(conditions.paths(rule.when)))
    lines.append("  message: " + " ".join(spec.message.split()))
    lines.append("  remediation:")
    lines += textwrap.wrap(
        " ".join(spec.remediation.split()), 88, initial_indent="    ", subsequent_indent="    "
    )
    lines.append("  cases:")
    for case in spec.cases:
        lines.append(f"    [{case.expect}] {case.name}")
    inheritors = [p for p in catalog.all() if p.id != pack.id and rule_id in p.resolved]
    dropped = [(p, p.dropped[rule_id]) for p in catalog.all() if rule_id in p.dropped]
    if inheritors:
        lines.append("  inherited by: " + ", ".join(p.id for p in inheritors))
    for other, reason in dropped:
        lines.append(f"  not in {other.id}: {reason}")
    return "\n".join(lines)
