"""The built-in rule packs: installed as a plugin, shipped in the wheel, and held to the
pack policy (every rule cited, every rule with a firing and a non-firing case)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import rapport_rulepacks
import yaml
from rapport_core.compliance.cases import run_pack
from rapport_core.compliance.catalog import load_catalog
from rapport_core.compliance.packs import describe_problems
from rapport_core.plugins import build_plugin_manager

DISTRIBUTION = Path(rapport_rulepacks.__file__).resolve().parent.parent
SOURCE_PACKS = sorted(
    path.parent
    for family in rapport_rulepacks.FAMILIES
    for path in (DISTRIBUTION / family).glob("*/pack.yaml")
)


def _rules(pack: Path) -> list[tuple[Path, dict]]:
    return [
        (path, yaml.safe_load(path.read_text())) for path in sorted((pack / "rules").glob("*.yaml"))
    ]


def _registered_paths() -> list[Path]:
    pm = build_plugin_manager()
    assert pm.distributions["rulepacks"][0] == "rapport-rulepacks"
    registered: list[Path] = []
    pm.hook.register_rulepacks(register=registered.append)
    return registered


def test_every_family_has_packs():
    families = {pack.parent.name for pack in SOURCE_PACKS}
    assert families == set(rapport_rulepacks.FAMILIES)
    ids = {yaml.safe_load((pack / "pack.yaml").read_text())["id"] for pack in SOURCE_PACKS}
    # The packs the issue names, by id.
    assert {
        "aba-model-rules",
        "us-ca-bar",
        "us-tx-bar",
        "us-fl-bar",
        "us-ny-bar",
        "us-il-bar",
        "aicpa-code",
        "sec-marketing-rule",
        "finra-2040",
        "respa-section-8",
        "insurance-naic-model",
    } <= ids


def test_every_pack_is_registered_through_the_plugin_manager():
    registered = _registered_paths()
    assert len(registered) == len(set(registered))
    assert {path.resolve() for path in registered} == {pack.resolve() for pack in SOURCE_PACKS}


def test_pack_ids_and_rule_ids_are_unique():
    pack_ids = [yaml.safe_load((pack / "pack.yaml").read_text())["id"] for pack in SOURCE_PACKS]
    assert len(pack_ids) == len(set(pack_ids))
    rule_ids = [rule["id"] for pack in SOURCE_PACKS for _, rule in _rules(pack)]
    assert len(rule_ids) == len(set(rule_ids))


@pytest.mark.parametrize("pack", SOURCE_PACKS, ids=lambda pack: f"{pack.parent.name}/{pack.name}")
def test_every_rule_is_cited_and_has_both_kinds_of_case(pack: Path):
    meta = yaml.safe_load((pack / "pack.yaml").read_text())
    assert meta["sources"] and all(source["url"].startswith("http") for source in meta["sources"])
    rules = _rules(pack)
    assert rules, f"{pack} has no rules"
    for path, rule in rules:
        where = f"{path.relative_to(DISTRIBUTION)}"
        assert rule["citation"]["text"].strip(), where
        assert rule["citation"]["url"].startswith("https://") or rule["citation"]["url"].startswith(
            "http://"
        ), where
        expects = [case["expect"] for case in rule["cases"]]
        assert "fire" in expects and "none" in expects, (
            f"{where}: needs a firing and a non-firing case"
        )
        assert rule["title"].strip() and rule["message"].strip() and rule["remediation"].strip(), (
            where
        )


def test_the_wheel_ships_every_pack_and_finds_them(tmp_path: Path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(tmp_path),
            str(DISTRIBUTION),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("rapport_rulepacks-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
        assert "rulepacks = rapport_rulepacks" in archive.read(entry_points).decode()
        archive.extractall(tmp_path / "site")
    for pack in SOURCE_PACKS:
        for path in [pack / "pack.yaml", *sorted((pack / "rules").glob("*.yaml"))]:
            assert f"rapport_rulepacks/{path.relative_to(DISTRIBUTION).as_posix()}" in names

    # The installed layout (YAML inside the package) is found by the same code.
    spec = importlib.util.spec_from_file_location(
        "wheel_rapport_rulepacks", tmp_path / "site" / "rapport_rulepacks" / "__init__.py"
    )
    installed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(installed)
    found = installed.pack_directories()
    assert [path.relative_to(tmp_path / "site" / "rapport_rulepacks") for path in found] == [
        pack.relative_to(DISTRIBUTION) for pack in SOURCE_PACKS
    ]


def test_every_registered_pack_loads_validates_and_passes_its_cases():
    catalog = load_catalog()
    assert not catalog.failed, "\n".join(describe_problems(catalog.failed))
    ours = [
        pack
        for pack in catalog.all()
        if pack.directory.resolve() in {p.resolve() for p in SOURCE_PACKS}
    ]
    assert len(ours) == len(SOURCE_PACKS)
    results = [result for pack in ours for result in run_pack(pack)]
    failures = [
        f"{r.file}:{r.line} {r.label}: {r.detail}" for r in results if r.outcome == "failed"
    ]
    assert not failures, "\n".join(failures)
    assert not [r for r in results if r.outcome == "todo"]
    # Every rule of every pack was exercised both ways.
    for pack in ours:
        for rule in pack.rules:
            outcomes = {(r.expect, r.outcome) for r in results if r.rule_id == rule.id}
            assert {("fire", "passed"), ("none", "passed")} <= outcomes, rule.id
