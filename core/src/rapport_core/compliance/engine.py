"""The one durable-rules host Rapport uses.

durable-rules keeps a process-global host in ``durable.lang``, refuses a ruleset name twice,
starts timer threads in every ``Host`` that never stop, and raises when a posted message
matches no rule. So: a private ``Host`` subclass without the timer threads (rules here are
evaluated synchronously; none use timers), rulesets named ``rapport.<digest>`` and compiled
once per distinct set of rules, every call under one lock (the engine is a C module with
shared state), and "no rule matched" read as "no finding".

Each document is asserted as a *fact* (an event would be consumed by the first rule that
fires; a fact is seen by every rule) and retracted at once, so the engine keeps no state
between evaluations.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import threading
from collections.abc import Callable
from typing import Any

from durable import engine as durable_engine

from rapport_core.compliance.documents import MARKER

_SID = "rapport"


class _Host(durable_engine.Host):
    def __init__(self) -> None:
        self.fired: list[str] | None = None
        super().__init__()

    def _run(self) -> None:
        """No dispatch or timer threads: every evaluation runs on the caller's thread."""

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        def record(_closure: Any) -> None:
            if self.fired is not None:
                self.fired.append(action_name)

        return record


_lock = threading.Lock()
_host: _Host | None = None
_rulesets: dict[str, str] = {}
_ids = itertools.count(1)


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
            host = _get_host()
            body = {
                rule: {"all": [{"m": {"$and": [{MARKER: 1}, expression]}}], "run": rule}
                for rule, expression in rules.items()
            }
            host.register_rulesets({name: body})
            _rulesets[name] = definition
    return name


def fire(name: str, document: dict[str, Any]) -> list[str]:
    """The names of the rules of ruleset ``name`` that match ``document`` (engine form)."""
    fact = {**document, "sid": _SID, "id": next(_ids)}
    with _lock:
        host = _get_host()
        host.fired = fired = []
        try:
            host.assert_fact(name, fact)
        except durable_engine.MessageNotHandledException:
            return []  # no rule matched: nothing was stored either
        finally:
            host.fired = None
        with contextlib.suppress(durable_engine.MessageNotHandledException):
            host.retract_fact(name, fact)
    return fired
