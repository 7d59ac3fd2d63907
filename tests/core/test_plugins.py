"""Plugins are found through the `rapport` entry-point group and hooks reach them."""

import importlib.metadata

import pytest
import rapport_test_hello
from rapport_core import hookspecs
from rapport_core.plugins import DEFAULT_PLUGINS, build_plugin_manager, installed_plugins


def test_installed_plugin_is_discovered_with_version_and_hooks():
    infos = {info.name: info for info in installed_plugins(build_plugin_manager())}
    hello = infos["hello"]
    assert hello.version == importlib.metadata.version("rapport-test-hello")
    assert hello.distribution == "rapport-test-hello"
    assert "register_routes" in hello.hooks and "register_commands" in hello.hooks
    assert infos["rapport_core.commands"].default is True
    assert infos["server"].hooks == ["register_commands", "register_routes"]


def test_load_plugins_env_limits_what_is_loaded(monkeypatch):
    monkeypatch.setenv("RAPPORT_LOAD_PLUGINS", "server")
    names = {info.name for info in installed_plugins(build_plugin_manager())}
    assert "hello" not in names and "server" in names
    assert "rapport_core.commands" in names  # built-ins are always there
    monkeypatch.setenv("RAPPORT_LOAD_PLUGINS", "")
    only_builtins = {i.name for i in installed_plugins(build_plugin_manager())}
    assert only_builtins == set(DEFAULT_PLUGINS)


def test_a_hook_with_a_misspelt_name_is_refused():
    from pluggy import PluginValidationError
    from rapport_core import hookimpl

    class Broken:
        @hookimpl
        def partner_creatd(self, partner, actor):  # typo: no such hook
            pass

    pm = build_plugin_manager(load_entry_points=False)
    pm.register(Broken())
    with pytest.raises(PluginValidationError, match="partner_creatd"):
        pm.check_pending()


def test_every_hook_is_documented():
    for name in (
        "register_routes",
        "register_commands",
        "register_crm_connectors",
        "register_rulepacks",
        "partner_created",
        "partner_updated",
        "referral_created",
        "referral_updated",
        "referral_stage_changed",
        "calculate_referral_fee",
        "payout_gate",
        "firm_settings_changed",
    ):
        assert getattr(hookspecs, name).__doc__, name
    assert hookspecs.calculate_referral_fee.rapport_spec["firstresult"] is True


async def test_plugin_route_is_served_and_listed(client, firm):
    assert (await client.get("/hello")).json() == {"hello": "from a plugin"}
    listed = await client.get("/-/plugins", headers=firm.headers("viewer"))
    assert listed.status_code == 200
    assert "hello" in {p["name"] for p in listed.json()}
    assert (await client.get("/-/plugins")).status_code == 401


async def test_lifecycle_hooks_reach_plugins(client, firm):
    rapport_test_hello.seen.clear()
    partner = await client.post(
        "/api/v1/partners", json={"name": "Hooked", "profession": "cpa"}, headers=firm.headers()
    )
    referral = await client.post(
        "/api/v1/referrals",
        json={"direction": "sent", "partner_id": partner.json()["id"], "client_name": "C"},
        headers=firm.headers(),
    )
    await client.post(
        f"/api/v1/referrals/{referral.json()['id']}/stage",
        json={"stage": "accepted"},
        headers=firm.headers(),
    )
    await client.patch(
        f"/api/v1/referrals/{referral.json()['id']}",
        json={"matter_type": "Audit", "settlement_service": None},  # the second: unchanged
        headers=firm.headers(),
    )
    assert rapport_test_hello.seen == [
        ("partner_created", partner.json()["id"]),
        ("referral_created", referral.json()["id"]),
        ("referral_stage_changed", referral.json()["id"]),
        ("referral_updated", referral.json()["id"], "matter_type"),
    ]
