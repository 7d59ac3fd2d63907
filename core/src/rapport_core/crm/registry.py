"""The connectors installed plugins offer, by name."""

from __future__ import annotations

from rapport_core.crm.connector import Connector
from rapport_core.errors import NotFound


def installed_connectors() -> dict[str, type[Connector]]:
    from rapport_core.plugins import get_plugin_manager

    found: list[type] = []
    get_plugin_manager().hook.register_crm_connectors(register=found.append)
    return {cls.name: cls for cls in found if isinstance(cls, type) and issubclass(cls, Connector)}


def connector_class(name: str) -> type[Connector]:
    connectors = installed_connectors()
    if name not in connectors:
        known = ", ".join(sorted(connectors)) or "none installed"
        raise NotFound(f"no CRM connector named {name!r} (installed: {known})", field="name")
    return connectors[name]
