"""The complementarity map: shipped as data, validated with errors that name the file and
entry, and extended by plugins."""

import pytest
from rapport_core.network.complementarity import (
    BUILT_IN,
    ComplementarityError,
    build_map,
    complementarity_map,
    read_file,
)
from rapport_core.plugins import build_plugin_manager
from rapport_core.vocabulary import Profession


def test_every_profession_has_complements():
    cmap = build_map([(str(BUILT_IN), read_file(BUILT_IN))])
    for profession in Profession:
        assert (profession.value, None) in cmap.types, profession
        assert cmap.complements_of([(profession.value, None)]), profession


def test_links_read_both_ways_and_specialties_fall_back_to_the_profession():
    cmap = build_map([(str(BUILT_IN), read_file(BUILT_IN))])
    estate = ("attorney", "estate planning")
    assert cmap.strength(estate, ("cpa", None)) == cmap.strength(("cpa", None), estate) == 1.0
    # Declared only for the bare professions: attorney ↔ insurance agent 0.4.
    assert cmap.strength(("attorney", "family law"), ("insurance_agent", "long-term care")) == 0.4
    assert cmap.classify("attorney", ["Medicaid planning", "Guardianship"]) == (
        "attorney",
        "elder law",
    )
    assert cmap.classify("attorney", ["Maritime law"]) == ("attorney", None)


def test_a_bad_entry_is_named_with_its_file(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(
        "types:\n"
        "  - {profession: cpa, complements: [{profession: attorney, strength: 0.5}]}\n"
        "  - profession: attorney\n"
        "    specialty: tax\n"
        "    complements: [{profession: cpa, strength: 1.5}]\n"
    )
    with pytest.raises(ComplementarityError) as error:
        read_file(path)
    message = str(error.value)
    assert str(path) in message and "types[1] (attorney/tax)" in message
    assert "complements.0.strength" in message

    path.write_text("types:\n  - {profession: dentist}\n")
    with pytest.raises(ComplementarityError, match=r"types\[0\] \(dentist\): profession"):
        read_file(path)


def test_a_link_to_an_undeclared_specialty_is_refused(tmp_path):
    path = tmp_path / "typo.json"
    path.write_text(
        '{"types": [{"profession": "cpa", "complements": '
        '[{"profession": "attorney", "specialty": "estate planing", "strength": 1}]}]}'
    )
    with pytest.raises(ComplementarityError, match="attorney/estate planing .*never declared"):
        build_map([(str(path), read_file(path))])


def test_a_plugin_extends_the_map():
    with_plugins = complementarity_map()
    genealogist = ("other", "genealogy")
    assert with_plugins.label(genealogist) == "Genealogist"
    assert with_plugins.strength(("attorney", "estate planning"), genealogist) == 0.5
    assert with_plugins.classify("other", ["Heir search"]) == genealogist
    built_in_only = complementarity_map(build_plugin_manager(load_entry_points=False))
    assert genealogist not in built_in_only.types


async def test_a_partner_of_a_plugin_type_is_scored_with_it(client, seeded):
    from tests.network.conftest import add_partner

    await add_partner(
        seeded.firm, name="Gil Genealogy", profession="other", specialties=["Heir search"]
    )
    rows = (await client.get("/api/v1/network/matrix", headers=seeded.firm.headers())).json()
    gil = next(p for p in rows["partners"] if p["name"] == "Gil Genealogy")
    assert gil["partner_type"] == "other/genealogy"
    assert gil["components"]["complementarity"]["score"] == 0.5
