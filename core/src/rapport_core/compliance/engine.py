"""The one durable-rules host Rapport uses.

durable-rules keeps a process-global host in ``durable.lang``, refuses a ruleset name twice,
starts timer threads in every ``Host`` that never stop, and raises when a posted message
matches no rule. So: a private ``Host`` subclass without the timer threads (rules here are
evaluated synchronously; none use timers), rulesets named ``rapport.<digest>`` and compiled
once per distinct set of rules, every call under one lock (the engine is a C module with
shared state).

Documents are asserted as *facts* (an event is consumed by the first rule that fires; a
fact is seen by every rule), many in one call, and retracted in one call after, so the
engine keeps no state between evaluations. Every rule has a ``cap``: it fires once per
batch with every document it matched, not once per document, so Python's share of the
work is per rule, not per match. A batch stops at the first document no rule matches, so
each ruleset also has a rule that matches every document (its firing is ignored).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any

import durable_rules_engine
from durable import engine as durable_engine

from rapport_core.compliance.documents import MARKER

_SID = "rapport"
#: The rule every document matches, so no document in a batch goes unhandled.
_EVERY = "rapport.every"
#: Documents per engine call (and the most one rule collects per firing).
BATCH = 2000


class _Host(durable_engine.Host):
    def __init__(self) -> None:
        #: Rule name -> ids of the documents it matched, while a batch is asserted.
        self.fired: dict[str, list[int]] | None = None
        super().__init__()

    def _run(self) -> None:
        """No dispatch or timer threads: every evaluation runs on the caller's thread."""

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        def record(closure: Any) -> None:
            if self.fired is None or action_name == _EVERY:
                return
            matched = closure.m if isinstance(closure.m, list) else [closure.m]
            self.fired.setdefault(action_name, []).extend(m["id"] for m in matched)

        return record


#: The engine refused a ruleset (an expression past its limits).
EngineRefused = durable_rules_engine.error

_lock = threading.Lock()
_host: _Host | None = None
_rulesets: dict[str, str] = {}
_next_id = 1


def _get_host() -> _Host:
    global _host
    if _host is None:
        _host = _Host()
    return _host


def ruleset_name(rules: dict[str, dict[str, Any]]) -> str:
    """Register ``rules`` (rule name -> engine expression) once; the name of its ruleset."""
    definition = json.dumps(rules, sort_keys=True)
    digest = hashlib.sha256(definition.encode()).hexdigest()[:16]
    name = f"rapport.{digest}"
    with _lock:
        if name not in _rulesets:
            body = {
                rule: {
                    "all": [{"m": {"$and": [{MARKER: 1}, expression]}}],
                    "run": rule,
                    "cap": BATCH,
                }
                for rule, expression in rules.items()
            }
            body[_EVERY] = {"all": [{"m": {MARKER: 1}}], "run": _EVERY, "cap": BATCH}
            _get_host().register_rulesets({name: body})
            _rulesets[name] = definition
    return name


def fire_many(name: str, documents: list[dict[str, Any]]) -> list[list[str]]:
    """For each document (engine form), the names of the rules of ruleset ``name`` it
    matches, in the order given."""
    global _next_id
    out: list[list[str]] = [[] for _ in documents]
    for start in range(0, len(documents), BATCH):
        chunk = documents[start : start + BATCH]
        with _lock:
            first, _next_id = _next_id, _next_id + len(chunk)
            keys = [{"sid": _SID, "id": first + i} for i in range(len(chunk))]
            facts = [{**doc, **key} for doc, key in zip(chunk, keys, strict=True)]
            host = _get_host()
            host.fired = fired = {}
            try:
                host.assert_facts(name, facts)
            finally:
                host.fired = None
                # A fact is retracted by its id alone; after a failed assert some never were.
                with contextlib.suppress(durable_engine.MessageNotHandledException):
                    host.retract_facts(name, keys)
        for rule, ids in fired.items():
            for fact_id in ids:
                out[start + fact_id - first].append(rule)
    return out


def fire(name: str, document: dict[str, Any]) -> list[str]:
    """The names of the rules of ruleset ``name`` that match ``document`` (engine form)."""
    return fire_many(name, [document])[0]
