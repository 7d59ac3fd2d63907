"""Evaluating fact documents against packs: compile the packs' rules into one ruleset, post
the document, and turn what fired into findings with their message, citation and the facts
the rule read."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rapport_core.compliance import conditions, documents, engine
from rapport_core.compliance.packs import PLACEHOLDER, Pack, Rule
from rapport_core.compliance.vocabulary import lookup

log = logging.getLogger(__name__)


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
    fewer rules for the engine to match. Rulesets are compiled on first use.

    Each pack rule is one engine rule: its gates, ``applies_when`` and condition compiled
    into one expression. ``split=True`` compiles the old way instead, an engine rule per
    alternative of the condition's disjunctive form (kept to check both agree)."""

    packs: list[Pack]
    rules: dict[str, tuple[Pack, Rule]] = field(default_factory=dict)
    split: bool = False
    #: Seconds spent inside the engine by :meth:`evaluate` (benchmark: Rapport's overhead).
    engine_seconds: float = field(default=0.0)
    _rulesets: dict[str | None, tuple[str, documents.Projection]] = field(default_factory=dict)

    def ruleset_for(self, jurisdiction: str | None) -> str:
        if jurisdiction not in self._rulesets:
            chosen = [p for p in self.packs if p.meta.jurisdiction in ("US", jurisdiction)]
            nodes: dict[str, conditions.Node] = {}
            for pack in chosen:
                gates = gate(pack, self.packs)
                for rule_id, rule in sorted(pack.resolved.items()):
                    nodes[f"{pack.id}/{rule_id}"] = conditions.Node(
                        "all", items=(*gates, *rule.applies, rule.when)
                    )
            read = {"firm.jurisdiction", *(p for n in nodes.values() for p in conditions.paths(n))}
            name = ""
            if nodes and not self.split:
                try:
                    name = engine.ruleset_name(
                        {key: conditions.compile_node(node) for key, node in nodes.items()}
                    )
                except engine.EngineRefused:
                    # A condition past the engine's limit on operators in one expression:
                    # the split form (a rule per alternative) is always accepted.
                    log.info("rules for %s compiled one per alternative", jurisdiction)
            if nodes and not name:
                name = engine.ruleset_name(
                    {
                        f"{key}#{index}": expression
                        for key, node in nodes.items()
                        for index, expression in enumerate(conditions.compile_terms(node))
                    }
                )
            self._rulesets[jurisdiction] = (name, documents.projection(sorted(read)))
        return self._rulesets[jurisdiction][0]

    def posted(self, document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The ruleset for ``document`` and the document as posted to it: the facts its
        rules read, in engine form (see :func:`documents.project`)."""
        documents.check_names(document)
        jurisdiction = documents.get(document, "firm.jurisdiction")
        if jurisdiction is not None:
            documents.engine_value(lookup("firm.jurisdiction"), jurisdiction)
        name = self.ruleset_for(jurisdiction)
        return name, documents.project(document, self._rulesets[jurisdiction][1])

    def fire_many(self, posted: list[tuple[str, dict[str, Any]]]) -> list[list[str]]:
        """For each ``(ruleset, engine document)``, the keys (``pack/rule``) of the rules it
        matches. Documents are grouped by ruleset and posted in batches."""
        by_ruleset: dict[str, list[int]] = {}
        for index, (name, _) in enumerate(posted):
            if name:
                by_ruleset.setdefault(name, []).append(index)
        out: list[list[str]] = [[] for _ in posted]
        started = time.perf_counter()
        for name, indexes in by_ruleset.items():
            fired = engine.fire_many(name, [posted[i][1] for i in indexes])
            for index, keys in zip(indexes, fired, strict=True):
                out[index] = list(dict.fromkeys(key.partition("#")[0] for key in keys))
        self.engine_seconds += time.perf_counter() - started
        return out

    def evaluate_many(
        self, batch: list[dict[str, Any]], *, subject: str | None = None
    ) -> list[list[Finding]]:
        """Findings for each document of ``batch``, in order. ``subject="partner"`` keeps
        partner rules only and ``"referral"`` the others; None keeps every rule (cases,
        ``compliance evaluate``)."""
        fired = self.fire_many([self.posted(document) for document in batch])
        out = []
        for document, keys in zip(batch, fired, strict=True):
            findings = []
            for key in keys:
                pack, rule = self.rules[key]
                if subject is not None and (rule.spec.subject == "partner") != (
                    subject == "partner"
                ):
                    continue
                findings.append(make_finding(pack, rule, document))
            out.append(
                sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.pack_id, f.rule_id))
            )
        return out

    def evaluate(self, document: dict[str, Any], *, subject: str | None = None) -> list[Finding]:
        """Findings for one document (see :meth:`evaluate_many`)."""
        return self.evaluate_many([document], subject=subject)[0]


SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}


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


#: Recently compiled pack sets, by the identity of their packs (a pack is immutable once
#: loaded; each entry keeps its packs alive, so an identity is never reused while cached).
_compiled: dict[tuple[bool, tuple[int, ...]], Compiled] = {}
_COMPILED_KEPT = 16


def compile_packs(packs: list[Pack], *, split: bool = False) -> Compiled:
    """Every rule in force in ``packs`` (each pack's own and inherited rules); the same
    packs compile once, so a re-evaluation reuses the rulesets built before."""
    ordered = sorted(packs, key=lambda p: p.id)
    key = (split, tuple(id(p) for p in ordered))
    compiled = _compiled.pop(key, None)
    if compiled is None:
        rules = {
            f"{p.id}/{rule_id}": (p, rule)
            for p in ordered
            for rule_id, rule in sorted(p.resolved.items())
        }
        compiled = Compiled(ordered, rules, split)
    _compiled[key] = compiled  # most recently used last
    while len(_compiled) > _COMPILED_KEPT:
        del _compiled[next(iter(_compiled))]
    return compiled


_worker: Compiled | None = None


def _start_worker(packs: list[Pack]) -> None:
    global _worker
    _worker = compile_packs(packs)


def _evaluate_in_worker(batch: list[dict[str, Any]], subject: str | None) -> list[list[Finding]]:
    assert _worker is not None
    return _worker.evaluate_many(batch, subject=subject)


def evaluate_parallel(
    packs: list[Pack],
    batch: list[dict[str, Any]],
    *,
    workers: int,
    subject: str | None = None,
) -> list[list[Finding]]:
    """:meth:`Compiled.evaluate_many` spread over ``workers`` processes, for bulk runs:
    the same findings in the same order. Each worker is a fresh (spawned) interpreter with
    its own engine host and compiles the packs once; nothing of this process's engine is
    shared (the engine is a C module with process-wide state, and forking a process that
    runs threads is unsafe)."""
    if workers <= 1 or len(batch) < 2 * engine.BATCH:
        return compile_packs(packs).evaluate_many(batch, subject=subject)
    size = max(engine.BATCH, -(-len(batch) // (workers * 4)))  # a few chunks each: balance
    chunks = [batch[start : start + size] for start in range(0, len(batch), size)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(packs,)
    ) as pool:
        results = pool.map(_evaluate_in_worker, chunks, [subject] * len(chunks))
        return [findings for chunk in results for findings in chunk]


def evaluate(
    document: dict[str, Any], packs: list[Pack], *, subject: str | None = None
) -> list[Finding]:
    compiled = compile_packs(packs)
    if not compiled.rules:
        return []
    return compiled.evaluate(document, subject=subject)
