"""Rule conditions: checked against the fact vocabulary, then compiled to durable-rules'
JSON expression form.

A condition is a small tree (``all`` / ``any`` / ``not`` over fact tests). Negation has no
single-fact form in the engine, so ``not`` is pushed down to the leaves (De Morgan), keeping
the pack semantics that a comparison against a missing fact is false: ``not (x == 1)`` is
"x is missing or x != 1". Values reach the engine as numbers it compares exactly: dates as
day numbers, money as integer cents, shares as integer billionths (see documents.py).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from rapport_core.compliance import documents
from rapport_core.compliance.vocabulary import (
    COMPARABLE,
    NUMERIC,
    ORDERED,
    lookup,
    unknown_path_message,
)

KeyPath = tuple[str | int, ...]
COMPARISONS = ("eq", "ne", "lt", "lte", "gt", "gte")
NEGATED = {"eq": "ne", "ne": "eq", "lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}
ENGINE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
ARITHMETIC = ("plus_days", "minus_days", "plus", "minus", "times")


@dataclass(frozen=True)
class FactRef:
    path: str
    op: str | None = None  # one of ARITHMETIC
    amount: Any = None


@dataclass(frozen=True)
class Node:
    kind: str  # all | any | not | present | absent | compare | in | not_in
    path: str | None = None
    op: str | None = None
    value: Any = None  # a literal, a FactRef, or a list of literals for in / not_in
    items: tuple[Node, ...] = ()


class ConditionErrors(Exception):
    def __init__(self, problems: list[tuple[KeyPath, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


# --------------------------------------------------------------------------- checking


def parse(raw: Any, at: KeyPath = ("when",)) -> Node:
    """The condition tree of ``raw``; every problem found raises in one ConditionErrors."""
    problems: list[tuple[KeyPath, str]] = []
    node = _parse(raw, at, problems)
    if problems:
        raise ConditionErrors(problems)
    return node


def _parse(raw: Any, at: KeyPath, problems: list) -> Node:
    if not isinstance(raw, dict):
        problems.append((at, "a condition is a mapping: all, any, not, or fact with a test"))
        return Node("all")
    keys = set(raw)
    for group in ("all", "any"):
        if group in keys:
            if keys != {group}:
                problems.append((at, f"{group} stands alone; also found {sorted(keys - {group})}"))
            items = raw[group]
            if not isinstance(items, list) or not items:
                problems.append(((*at, group), f"{group} needs a non-empty list of conditions"))
                return Node(group)
            return Node(
                group,
                items=tuple(_parse(c, (*at, group, i), problems) for i, c in enumerate(items)),
            )
    if "not" in keys:
        if keys != {"not"}:
            problems.append((at, f"not stands alone; also found {sorted(keys - {'not'})}"))
        return Node("not", items=(_parse(raw["not"], (*at, "not"), problems),))
    if "fact" not in keys:
        problems.append((at, f"unknown condition keys {sorted(keys)}: use all, any, not or fact"))
        return Node("all")
    return _parse_test(raw, at, problems)


def _parse_test(raw: dict, at: KeyPath, problems: list) -> Node:
    path = raw["fact"]
    tests = [k for k in raw if k != "fact"]
    known = {"absent", "present", "in", "not_in", *COMPARISONS}
    unknown = [k for k in tests if k not in known]
    if unknown:
        problems.append(
            (
                (*at, unknown[0]),
                f"unknown test {unknown[0]!r}: use one of {', '.join(sorted(known))}",
            )
        )
        return Node("all")
    if len(tests) != 1:
        problems.append((at, f"a fact test has exactly one test, found {tests or 'none'}"))
        return Node("all")
    test = tests[0]
    if not isinstance(path, str) or (spec := lookup(path)) is None:
        problems.append(((*at, "fact"), unknown_path_message(str(path))))
        return Node("all")
    value = raw[test]
    if test in ("absent", "present"):
        if value is not True:
            problems.append(((*at, test), f"{test} takes true (write the other test for false)"))
        return Node(test, path=path)
    if spec.type not in COMPARABLE:
        problems.append(((*at, "fact"), f"{path} is a {spec.type}; test it with present or absent"))
        return Node("all")
    if test in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            problems.append(((*at, test), f"{test} takes a non-empty list of values"))
            return Node("all")
        for i, item in enumerate(value):
            _check_literal(spec, item, (*at, test, i), problems)
        return Node(test, path=path, value=tuple(value))
    if test not in ("eq", "ne") and spec.type not in ORDERED:
        problems.append(
            ((*at, test), f"{test} compares numbers and dates; {path} is a {spec.type}")
        )
        return Node("all")
    if isinstance(value, dict):
        ref = _parse_ref(spec, value, (*at, test), problems)
        return Node("compare", path=path, op=test, value=ref)
    _check_literal(spec, value, (*at, test), problems)
    return Node("compare", path=path, op=test, value=value)


def _parse_ref(spec, raw: dict, at: KeyPath, problems: list) -> FactRef | None:
    other = raw.get("fact")
    extra = [k for k in raw if k not in ("fact", *ARITHMETIC)]
    if extra or not isinstance(other, str):
        problems.append(
            (at, f"a fact reference is {{fact: PATH}} with at most one of {', '.join(ARITHMETIC)}")
        )
        return None
    ref_spec = lookup(other)
    if ref_spec is None:
        problems.append(((*at, "fact"), unknown_path_message(other)))
        return None
    if ref_spec.type != spec.type:
        problems.append(
            (
                (*at, "fact"),
                f"type mismatch: {spec.path} is a {spec.type}, {other} is a {ref_spec.type}",
            )
        )
        return None
    ops = [k for k in raw if k in ARITHMETIC]
    if len(ops) > 1:
        problems.append((at, f"use one of {', '.join(ops)}, not several"))
        return None
    if not ops:
        return FactRef(other)
    op, amount = ops[0], raw[ops[0]]
    if op in ("plus_days", "minus_days"):
        if spec.type != "date" or not isinstance(amount, int) or isinstance(amount, bool):
            problems.append(((*at, op), f"{op} takes a whole number of days and applies to dates"))
            return None
    elif (
        spec.type not in NUMERIC or not isinstance(amount, int | float) or isinstance(amount, bool)
    ):
        problems.append(
            ((*at, op), f"{op} takes a number and applies to money, shares and numbers")
        )
        return None
    return FactRef(other, op, amount)


def _check_literal(spec, value: Any, at: KeyPath, problems: list) -> None:
    try:
        documents.check_value(spec, value)
    except documents.FactError as error:
        problems.append((at, error.message))


# --------------------------------------------------------------------------- reading


def paths(node: Node) -> list[str]:
    """Every fact path the condition reads, in order, once each."""
    seen: dict[str, None] = {}

    def walk(n: Node) -> None:
        if n.path:
            seen[n.path] = None
        if isinstance(n.value, FactRef):
            seen[n.value.path] = None
        for item in n.items:
            walk(item)

    walk(node)
    return list(seen)


def describe(node: Node) -> str:
    """The condition in plain words (``rapport rulepack explain``)."""
    words = {
        "eq": "is",
        "ne": "is not",
        "lt": "is before/less than",
        "lte": "is on or before/at most",
        "gt": "is after/more than",
        "gte": "is on or after/at least",
    }
    if node.kind in ("all", "any"):
        joiner = " and " if node.kind == "all" else " or "
        parts = [describe(item) for item in node.items]
        return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"
    if node.kind == "not":
        return f"not {describe(node.items[0])}"
    if node.kind in ("present", "absent"):
        return f"{node.path} is {'on file' if node.kind == 'present' else 'missing'}"
    if node.kind in ("in", "not_in"):
        return f"{node.path} is {'one of' if node.kind == 'in' else 'none of'} {', '.join(map(str, node.value))}"
    value = node.value
    if isinstance(value, FactRef):
        text = value.path
        if value.op:
            label = {
                "plus_days": "+ {} days",
                "minus_days": "- {} days",
                "plus": "+ {}",
                "minus": "- {}",
                "times": "× {}",
            }
            text += " " + label[value.op].format(value.amount)
    else:
        text = str(value).lower() if isinstance(value, bool) else str(value)
    return f"{node.path} {words[node.op]} {text}"


# --------------------------------------------------------------------------- compiling


def negate(node: Node) -> Node:
    kind = node.kind
    if kind == "all":
        return Node("any", items=tuple(negate(i) for i in node.items))
    if kind == "any":
        return Node("all", items=tuple(negate(i) for i in node.items))
    if kind == "not":
        return node.items[0]
    if kind in ("present", "absent"):
        return Node("absent" if kind == "present" else "present", path=node.path)
    missing = [Node("absent", path=node.path)]
    if isinstance(node.value, FactRef):
        missing.append(Node("absent", path=node.value.path))
    if kind in ("in", "not_in"):
        flipped = Node("not_in" if kind == "in" else "in", path=node.path, value=node.value)
    else:
        flipped = Node("compare", path=node.path, op=NEGATED[node.op], value=node.value)
    return Node("any", items=(*missing, flipped))


#: A rule whose condition expands to more alternatives than this is refused (validate says so).
MAX_TERMS = 256


def terms(node: Node) -> list[list[Node]]:
    """``node`` in disjunctive normal form: alternatives, each a list of leaf tests that must
    all hold. Self-contradictory alternatives (a fact both missing and compared, or equal to
    two values) are dropped. The engine refuses expressions past a small size, so each
    alternative becomes an engine rule of its own (see :func:`compile_terms`)."""
    kind = node.kind
    if kind == "not":
        return terms(negate(node.items[0]))
    if kind == "any":
        out = [t for item in node.items for t in terms(item)]
    elif kind == "all":
        out = [[]]
        for item in node.items:
            out = [[*left, *right] for left in out for right in terms(item)]
            out = [t for t in out if not _contradicts(t)]
            if len(out) > MAX_TERMS:
                raise ConditionErrors(
                    [
                        (
                            (),
                            f"the condition expands to more than {MAX_TERMS} alternatives; split the rule",
                        )
                    ]
                )
    else:
        out = [[node]]
    if len(out) > MAX_TERMS:
        raise ConditionErrors(
            [((), f"the condition expands to more than {MAX_TERMS} alternatives; split the rule")]
        )
    return out


def _contradicts(term: list[Node]) -> bool:
    absent = {n.path for n in term if n.kind == "absent"}
    equal: dict[str, Any] = {}
    for n in term:
        if n.kind in ("compare", "in", "not_in", "present") and n.path in absent:
            return True
        if isinstance(n.value, FactRef) and n.value.path in absent:
            return True
        if n.kind == "compare" and n.op == "eq" and not isinstance(n.value, FactRef):
            if n.path in equal and equal[n.path] != n.value:
                return True
            equal[n.path] = n.value
    return False


def compile_terms(node: Node) -> list[dict[str, Any]]:
    """One engine expression per alternative of ``node``."""
    return [compile_node(Node("all", items=tuple(term))) for term in terms(node)]


def compile_node(node: Node) -> dict[str, Any]:
    """The engine expression for ``node`` as a single tree (small conditions, tests)."""
    kind = node.kind
    if kind in ("all", "any"):
        operator = "$and" if kind == "all" else "$or"
        items: list[dict[str, Any]] = []
        for item in node.items:
            compiled = compile_node(item)
            # The engine limits how many operators an expression holds: merge nested ones.
            items.extend(compiled[operator] if list(compiled) == [operator] else [compiled])
        unique = list({json.dumps(i, sort_keys=True): i for i in items}.values())
        return unique[0] if len(unique) == 1 else {operator: unique}
    if kind == "not":
        return compile_node(negate(node.items[0]))
    return compile_leaf(node)


def compile_leaf(node: Node) -> dict[str, Any]:
    """The engine test for one fact test (on the fact document posted as ``m``)."""
    kind = node.kind
    field = node.path
    if kind == "present":
        return {"$ex": {field: 1}}
    if kind == "absent":
        return {"$nex": {field: 1}}
    spec = lookup(field)
    if kind == "in":
        options = [{field: documents.engine_value(spec, v)} for v in node.value]
        return options[0] if len(options) == 1 else {"$or": options}
    if kind == "not_in":
        return {
            "$and": [{"$ex": {field: 1}}]
            + [{"$neq": {field: documents.engine_value(spec, v)}} for v in node.value]
        }
    value = node.value
    guards = [{"$ex": {field: 1}}]
    if isinstance(value, FactRef):
        guards.append({"$ex": {value.path: 1}})
        right: Any = {"$m": value.path}
        if value.op:
            engine_op, amount = _arithmetic(spec, value)
            right = {engine_op: {"$l": right, "$r": amount}}
    else:
        right = documents.engine_value(spec, value)
    test = {field: right} if node.op == "eq" else {ENGINE_OP[node.op]: {field: right}}
    return {"$and": [*guards, test]}


def _arithmetic(spec, ref: FactRef) -> tuple[str, Any]:
    if ref.op in ("plus_days", "minus_days"):
        return ("$add" if ref.op == "plus_days" else "$sub"), ref.amount
    if ref.op == "times":
        return "$mul", ref.amount
    return ("$add" if ref.op == "plus" else "$sub"), documents.engine_value(spec, ref.amount)


def member(path: str, values: list[Any]) -> Node:
    return Node("in", path=path, value=tuple(values))


def on_or_after(path: str, day: dt.date) -> Node:
    return Node("compare", path=path, op="gte", value=day)


def on_or_before(path: str, day: dt.date) -> Node:
    return Node("compare", path=path, op="lte", value=day)
