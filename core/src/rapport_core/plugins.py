"""The plugin manager: built-in plugins first, then the ``rapport`` entry-point group."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from functools import cache

import pluggy

from rapport_core import hookspecs

ENTRY_POINT_GROUP = "rapport"

hookimpl = pluggy.HookimplMarker("rapport")

#: Built-in behaviour, registered through the same manager as any installed plugin.
DEFAULT_PLUGINS = (
    "rapport_core.commands",
    "rapport_core.pipeline.plugin",
    "rapport_core.insights.plugin",
    "rapport_core.network.plugin",
    "rapport_core.money.plugin",
    "rapport_core.compliance.plugin",
    "rapport_core.audit.plugin",
    "rapport_core.agreements.plugin",
    "rapport_core.tax.plugin",
    "rapport_core.crm.plugin",
    "rapport_core.importing.plugin",
)


def _allowed() -> set[str] | None:
    """Names from RAPPORT_LOAD_PLUGINS (comma-separated), or None to load everything."""
    value = os.environ.get("RAPPORT_LOAD_PLUGINS")
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


class RapportPluginManager(pluggy.PluginManager):
    def __init__(self) -> None:
        super().__init__("rapport")
        #: plugin name -> (name, version) of the distribution that installed it
        self.distributions: dict[str, tuple[str, str]] = {}


def build_plugin_manager(*, load_entry_points: bool = True) -> RapportPluginManager:
    """A manager with the built-in plugins and, unless told not to, every installed one."""
    pm = RapportPluginManager()
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    if load_entry_points:
        allowed = _allowed()
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if allowed is not None and entry_point.name not in allowed:
                continue
            if pm.get_plugin(entry_point.name) is not None:
                continue
            pm.register(entry_point.load(), name=entry_point.name)
            if entry_point.dist is not None:
                dist = entry_point.dist
                pm.distributions[entry_point.name] = (dist.name, dist.version)
    pm.check_pending()
    return pm


@cache
def get_plugin_manager() -> RapportPluginManager:
    return build_plugin_manager()


async def notify(hook_name: str, **kwargs) -> None:
    """Call a notification hook and await whatever its implementations return, so a plugin
    may finish async work (compliance re-evaluates the changed referral) before the caller
    answers. Called after the change is committed."""
    await notify_all([(hook_name, kwargs)])


#: Where notifications go while a :func:`hold_notifications` block is open.
_held: ContextVar[list[tuple[str, dict]] | None] = ContextVar("rapport_held_hooks", default=None)


@contextmanager
def hold_notifications() -> Iterator[list[tuple[str, dict]]]:
    """Queue the notification hooks called inside the block instead of calling them. The
    caller passes the queue to :func:`notify_all` once the transaction the block wrapped has
    committed: a CRM sync page calls service functions that notify as they go, and a slow
    or failing hook must neither hold that page's transaction open nor roll it back."""
    queued: list[tuple[str, dict]] = []
    token = _held.set(queued)
    try:
        yield queued
    finally:
        _held.reset(token)


async def notify_all(calls: list[tuple[str, dict]]) -> None:
    """:func:`notify` for many changes at once (an import): every hook is called first, then
    each distinct awaitable is awaited once, so a plugin can batch its work."""
    held = _held.get()
    if held is not None:
        held.extend(calls)
        return
    hook = get_plugin_manager().hook
    awaitables = [
        result
        for hook_name, kwargs in calls
        for result in getattr(hook, hook_name)(**kwargs)
        if inspect.isawaitable(result)
    ]
    for awaitable in dict.fromkeys(awaitables):  # distinct, in order
        await awaitable


@dataclass(frozen=True)
class PluginInfo:
    name: str
    distribution: str | None
    version: str | None
    hooks: list[str]
    default: bool

    def as_dict(self) -> dict:
        return asdict(self)


def installed_plugins(pm: RapportPluginManager | None = None) -> list[PluginInfo]:
    """Every registered plugin with the version of the distribution that provides it."""
    from rapport_core import __version__

    pm = pm or get_plugin_manager()
    infos = []
    for name, plugin in pm.list_name_plugin():
        default = name in DEFAULT_PLUGINS
        if default:
            distribution, version = "rapport-core", __version__
        else:
            distribution, version = pm.distributions.get(name, (None, None))
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        infos.append(PluginInfo(name, distribution, version, hooks, default))
    return sorted(infos, key=lambda info: (info.default, info.name))
