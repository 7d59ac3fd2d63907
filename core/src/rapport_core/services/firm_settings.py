"""Reading and changing a firm's settings (see :mod:`rapport_core.firm_settings`)."""

from __future__ import annotations

from typing import Any

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Invalid
from rapport_core.firm_settings import FirmSettings
from rapport_core.plugins import notify
from rapport_core.services.common import conflict_on_duplicate, transaction
from rapport_core.tables import FirmSetting


async def firm_settings(firm_id: int) -> FirmSettings:
    """The firm's settings: its stored changes over the defaults."""
    # Stored values were valid when saved; a later, stricter rule must not lock a firm
    # out, so validation happens on write and unknown keys from older versions are dropped.
    stored = (
        await FirmSetting.select(FirmSetting.values)
        .where(FirmSetting.firm == firm_id)
        .first()
        .output(load_json=True)
    )
    values = stored["values"] if stored else {}
    sections = {name: value for name, value in values.items() if name in FirmSettings.model_fields}
    return FirmSettings.model_validate(sections)


def _merge(base: dict, changes: dict, path: str = "") -> dict:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict):
            if not isinstance(merged.get(key, {}), dict):
                raise Invalid(f"{path}{key} is a value, not a section", field=f"{path}{key}")
            merged[key] = _merge(merged.get(key, {}), value, f"{path}{key}.")
        else:
            merged[key] = value
    return merged


async def update_firm_settings(actor: Actor, changes: dict[str, Any]) -> FirmSettings:
    """Apply ``{"sla": {"acknowledge_hours": 2}}``-shaped changes. A bad value raises a
    pydantic ValidationError naming its path (``sla.acknowledge_hours``); nothing is saved."""
    actor.require_firm_admin()
    before = await firm_settings(actor.firm_id)
    after = FirmSettings.model_validate(_merge(before.model_dump(mode="json"), changes))
    if after == before:
        return after
    values = after.model_dump(mode="json", exclude_defaults=True)
    racing = conflict_on_duplicate(
        "settings were being changed at the same time; try again", "settings"
    )
    async with racing, transaction():
        updated = (
            await FirmSetting.update({FirmSetting.values: values, FirmSetting.updated_at: now()})
            .where(FirmSetting.firm == actor.firm_id)
            .returning(FirmSetting.id)
        )
        if not updated:
            await FirmSetting(firm=actor.firm_id, values=values, updated_at=now()).save()
        await audit.record(
            actor, "settings.update", "firm", actor.firm_id, before=before, after=after
        )
    await notify(
        "firm_settings_changed", settings=after, changed=_changed(before, after), actor=actor
    )
    return after


def _changed(before: FirmSettings, after: FirmSettings) -> list[str]:
    """``section.name`` of every value that differs."""
    old, new = before.model_dump(), after.model_dump()
    return [
        f"{section}.{name}"
        for section, values in new.items()
        for name, value in values.items()
        if old[section][name] != value
    ]
