"""The complementarity map: which professions and specialties serve the same clients, and how
strongly. Shipped as data (``complementarity.yaml`` beside this module); plugins add files or
entries through the ``register_complementarity`` hook. The format is in docs/network.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rapport_core.network.tokens import tokens
from rapport_core.vocabulary import Profession

BUILT_IN = Path(__file__).with_name("complementarity.yaml")

#: (profession, specialty or None): one type of professional.
TypeKey = tuple[str, str | None]
Strength = Annotated[float, Field(ge=0, le=1)]


class ComplementarityError(ValueError):
    """A map file or entry is malformed; the message names the source and the entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Complement(_Strict):
    profession: Profession
    specialty: str | None = Field(None, min_length=1, max_length=100)
    strength: Strength


class TypeEntry(_Strict):
    profession: Profession
    specialty: str | None = Field(None, min_length=1, max_length=100)
    label: str | None = Field(None, min_length=1, max_length=200)
    keywords: list[Annotated[str, Field(min_length=1, max_length=100)]] = []
    complements: list[Complement] = []


def type_key(profession: str, specialty: str | None) -> TypeKey:
    return (str(profession), specialty.strip().lower() if specialty else None)


def key_name(key: TypeKey) -> str:
    """``attorney/estate planning``, or ``cpa`` for a whole profession."""
    return f"{key[0]}/{key[1]}" if key[1] else key[0]


def generic(key: TypeKey) -> TypeKey:
    return (key[0], None)


@dataclass
class TypeInfo:
    key: TypeKey
    label: str
    #: Each keyword as a token set: a keyword matches when all its tokens are present.
    keywords: list[frozenset[str]] = field(default_factory=list)


@dataclass
class ComplementarityMap:
    types: dict[TypeKey, TypeInfo] = field(default_factory=dict)
    #: Declared strengths, both directions, the larger one where both were given.
    links: dict[tuple[TypeKey, TypeKey], float] = field(default_factory=dict)

    def label(self, key: TypeKey) -> str:
        info = self.types.get(key)
        return info.label if info else Profession(key[0]).label

    def classify(self, profession: str, *texts: str | Sequence[str]) -> TypeKey:
        """The specialty type of ``profession`` whose keywords the texts match most often;
        the bare profession when none matches (ties go to the earlier entry)."""
        words = tokens(*texts)
        best, best_hits = type_key(profession, None), 0
        for key, info in self.types.items():
            if key[0] != profession or key[1] is None:
                continue
            hits = sum(1 for keyword in info.keywords if keyword and keyword <= words)
            if hits > best_hits:
                best, best_hits = key, hits
        return best

    def strength(self, a: TypeKey, b: TypeKey) -> float:
        """How strongly ``a`` complements ``b``: the largest declared link between either
        type or its bare profession."""
        return max(
            (self.links.get((x, y), 0.0) for x in {a, generic(a)} for y in {b, generic(b)}),
            default=0.0,
        )

    def complements_of(self, keys: Sequence[TypeKey]) -> dict[TypeKey, float]:
        """Every type linked to any of ``keys`` (or their bare professions), with the largest
        strength to any of them."""
        sources = {k for key in keys for k in (key, generic(key))}
        found: dict[TypeKey, float] = {}
        for a, b in self.links:
            if a in sources:
                found[b] = max(self.strength(key, b) for key in keys)
        return found

    def add(self, entry: TypeEntry) -> None:
        key = type_key(entry.profession, entry.specialty)
        info = self.types.setdefault(key, TypeInfo(key, entry.label or ""))
        if not info.label and entry.label:
            info.label = entry.label
        info.keywords.extend(tokens(keyword) for keyword in entry.keywords)
        for complement in entry.complements:
            other = type_key(complement.profession, complement.specialty)
            for pair in ((key, other), (other, key)):
                self.links[pair] = max(self.links.get(pair, 0.0), complement.strength)

    def check(self, sources: dict[TypeKey, str]) -> None:
        """Every linked specialty must be a declared type, so a typo cannot create a type
        no partner can ever belong to."""
        for a, b in self.links:
            for key in (a, b):
                if key[1] is not None and key not in self.types:
                    where = sources.get(a) or sources.get(b) or "complementarity map"
                    raise ComplementarityError(
                        f"{where}: {key_name(key)} is linked but never declared as a type"
                    )
        for info in self.types.values():
            info.label = info.label or self.label_fallback(info.key)

    @staticmethod
    def label_fallback(key: TypeKey) -> str:
        base = Profession(key[0]).label
        return f"{base} ({key[1]})" if key[1] else base


def read_entries(source: str, raw: Any) -> list[TypeEntry]:
    """Validate raw entries (``{"types": [...]}`` or a list of entries) from ``source``."""
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"types"}
        if unknown:
            raise ComplementarityError(f"{source}: unknown key(s) {sorted(unknown)}; use 'types'")
        raw = raw.get("types") or []
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise ComplementarityError(f"{source}: expected a list of types")
    entries = []
    for index, item in enumerate(raw):
        try:
            entries.append(TypeEntry.model_validate(item))
        except ValidationError as error:
            name = ""
            if isinstance(item, Mapping):
                name = " (" + key_name((str(item.get("profession")), item.get("specialty"))) + ")"
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}"
                for e in error.errors()
            )
            raise ComplementarityError(f"{source}: types[{index}]{name}: {problems}") from error
    return entries


def read_file(path: Path) -> list[TypeEntry]:
    """Entries from a YAML or JSON file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        raw = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ComplementarityError(f"{path}: {error}") from error
    return read_entries(str(path), raw)


def build_map(sources: Sequence[tuple[str, list[TypeEntry]]]) -> ComplementarityMap:
    cmap = ComplementarityMap()
    declared: dict[TypeKey, str] = {}
    for source, entries in sources:
        for index, entry in enumerate(entries):
            cmap.add(entry)
            key = type_key(entry.profession, entry.specialty)
            declared.setdefault(key, f"{source}: types[{index}] ({key_name(key)})")
    cmap.check(declared)
    return cmap


def plugin_sources(pm) -> list[tuple[str, list[TypeEntry]]]:
    """What each plugin registered, each source named after its plugin."""
    sources: list[tuple[str, list[TypeEntry]]] = []
    for impl in pm.hook.register_complementarity.get_hookimpls():

        def register(what, plugin=impl.plugin_name) -> None:
            if isinstance(what, (str, Path)):
                sources.append((str(what), read_file(Path(what))))
            else:
                sources.append((f"plugin {plugin}", read_entries(f"plugin {plugin}", what)))

        impl.function(register=register)
    return sources


#: id(manager) -> (manager, map); the manager is kept so its id cannot be reused.
_cache: dict[int, tuple[object, ComplementarityMap]] = {}


def complementarity_map(pm=None) -> ComplementarityMap:
    """The built-in map extended by every plugin of ``pm`` (default: the process's manager)."""
    if pm is None:
        from rapport_core.plugins import get_plugin_manager

        pm = get_plugin_manager()
    if id(pm) not in _cache:
        sources = [(str(BUILT_IN), read_file(BUILT_IN)), *plugin_sources(pm)]
        _cache[id(pm)] = (pm, build_map(sources))
    return _cache[id(pm)][1]
