"""Evaluating fact documents against packs: compile the packs' rules into one ruleset, post
the document, and turn what fired into findings with their message, citation and the facts
the rule read."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rapport_core.compliance import conditions, documents, engine
from rapport_core.compliance.packs import PLACEHOLDER, Pack, Rule


@dataclass(frozen=True)
class Finding:
    rule_id: str
    pack_id: str
    pack_version: str
    severity: str
    subject: str
    title: str
    message: str
    citation: str
    citation_url: str | None
    remediation: str
    facts: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "pack_id": self.pack_id,
            "pack_version": self.pack_version,
            "severity": self.severity,
            "subject": self.subject,
            "title": self.title,
            "message": self.message,
            "citation": self.citation,
            "citation_url": self.citation_url,
            "remediation": self.remediation,
            "facts": {k: plain(v) for k, v in self.facts.items()},
        }


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def money(value: Any) -> str:
    try:
        return f"${documents.as_decimal(value).quantize(Decimal('0.01')):,}"
    except (ValueError, ArithmeticError):
        return "(unknown)"


def render(template: str, document: dict[str, Any]) -> str:
    """Fill ``{path}`` and ``${path}`` from the document; a missing fact reads (unknown)."""

    def fill(match) -> str:
        value = documents.read(document, match.group(1))
        if value is None:
            return "(unknown)"
        if match.group(0).startswith("$"):
            return money(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(plain(value))

    return " ".join(PLACEHOLDER.sub(fill, template).split())


@dataclass
class Compiled:
    """A set of packs compiled onto the engine. A state pack's rules apply only in its
    state (see :func:`gate`), so each document is posted to a ruleset holding the federal
    packs and its own state's: the same findings as one ruleset of everything, with far
    fewer rules for the engine to match. Rulesets are compiled on first use."""

    packs: list[Pack]
    rules: dict[str, tuple[Pack, Rule]] = field(default_factory=dict)
    #: Seconds spent inside the engine by :meth:`evaluate` (benchmark: Rapport's overhead).
    engine_seconds: float = field(default=0.0)
    _rulesets: dict[str | None, tuple[str, frozenset[str]]] = field(default_factory=dict)

    def ruleset_for(self, jurisdiction: str | None) -> str:
        if jurisdiction not in self._rulesets:
            chosen = [p for p in self.packs if p.meta.jurisdiction in ("US", jurisdiction)]
            expressions: dict[str, Any] = {}
            read: set[str] = {"firm.jurisdiction"}
            for pack in chosen:
                gates = gate(pack, self.packs)
                for rule_id, rule in sorted(pack.resolved.items()):
                    key = f"{pack.id}/{rule_id}"
                    node = conditions.Node("all", items=(*gates, *rule.applies, rule.when))
                    read.update(conditions.paths(node))
                    for index, expression in enumerate(conditions.compile_terms(node)):
                        expressions[f"{key}#{index}"] = expression
            name = engine.ruleset_name(expressions) if expressions else ""
            self._rulesets[jurisdiction] = (name, frozenset(read))
        return self._rulesets[jurisdiction][0]

    def fire(self, posted: dict[str, Any]) -> list[str]:
        """The keys (``pack/rule``) of the rules that match an engine-form document."""
        jurisdiction = (posted.get("firm") or {}).get("jurisdiction")
        name = self.ruleset_for(jurisdiction)
        if not name:
            return []
        # The engine matches every field it is given: give it only those its rules read.
        posted = _only(posted, self._rulesets[jurisdiction][1])
        started = time.perf_counter()
        fired = engine.fire(name, posted)
        self.engine_seconds += time.perf_counter() - started
        return list(dict.fromkeys(key.partition("#")[0] for key in fired))

    def evaluate(self, document: dict[str, Any], *, subject: str | None = None) -> list[Finding]:
        """Findings for ``document``. ``subject="partner"`` keeps partner rules only and
        ``"referral"`` the others; None keeps every rule (cases, ``compliance evaluate``)."""
        findings = []
        for key in self.fire(documents.to_engine(document)):
            pack, rule = self.rules[key]
            if subject is not None and (rule.spec.subject == "partner") != (subject == "partner"):
                continue
            findings.append(make_finding(pack, rule, document))
        return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.pack_id, f.rule_id))


SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}


def _only(posted: dict[str, Any], read: frozenset[str], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in posted.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            inner = _only(value, read, f"{path}.")
            if inner or path in read:
                out[key] = {"present": 1, **inner}
        elif path in read or not prefix and key == documents.MARKER:
            out[key] = value
    return out


def make_finding(pack: Pack, rule: Rule, document: dict[str, Any]) -> Finding:
    spec = rule.spec
    return Finding(
        rule_id=spec.id,
        pack_id=pack.id,
        pack_version=pack.meta.version,
        severity=spec.severity,
        subject=spec.subject,
        title=spec.title,
        message=render(spec.message, document),
        citation=spec.citation.text,
        citation_url=spec.citation.url,
        remediation=render(spec.remediation, document),
        facts={path: documents.read(document, path) for path in conditions.paths(rule.when)},
    )


def gate(pack: Pack, packs: list[Pack]) -> list[conditions.Node]:
    """When ``pack``'s rules apply to a document: within its effective dates, in its
    jurisdiction (a US pack everywhere), and, for a pack that another selected pack extends,
    not in that pack's jurisdiction (the more specific pack decides there)."""
    meta = pack.meta
    out = [conditions.on_or_after("as_of", meta.effective_from)]
    if meta.effective_until:
        out.append(conditions.on_or_before("as_of", meta.effective_until))
    if meta.jurisdiction != "US":
        out.append(conditions.member("firm.jurisdiction", [meta.jurisdiction]))
    superseded = sorted(
        {
            p.meta.jurisdiction
            for p in packs
            if pack.id in p.ancestors and p.meta.jurisdiction != meta.jurisdiction
        }
    )
    if superseded:
        out.append(conditions.negate(conditions.member("firm.jurisdiction", superseded)))
    return out


def compile_packs(packs: list[Pack]) -> Compiled:
    """Every rule in force in ``packs`` (each pack's own and inherited rules)."""
    ordered = sorted(packs, key=lambda p: p.id)
    rules = {
        f"{p.id}/{rule_id}": (p, rule)
        for p in ordered
        for rule_id, rule in sorted(p.resolved.items())
    }
    return Compiled(ordered, rules)


def evaluate(
    document: dict[str, Any], packs: list[Pack], *, subject: str | None = None
) -> list[Finding]:
    compiled = compile_packs(packs)
    if not compiled.rules:
        return []
    return compiled.evaluate(document, subject=subject)
