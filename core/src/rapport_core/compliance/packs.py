"""Loading rule packs: pack.yaml and rule files read with their lines, checked against the
schema and the fact vocabulary, and resolved through ``extends`` / ``disable`` / ``replaces``.

A pack with any problem does not load; the others still do. Every problem names its file,
line and key path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from rapport_core.compliance import conditions, documents, yamlsource
from rapport_core.compliance.model import PackFile, RuleFile
from rapport_core.compliance.vocabulary import lookup, unknown_path_message

PLACEHOLDER = re.compile(r"\$?\{([a-z_][a-z0-9_.]*)\}")


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f" {self.key}:" if self.key else ""
        return f"{self.file}:{self.line}:{where} {self.message}"


def _key(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Rule:
    spec: RuleFile
    file: Path
    pack_id: str  # the pack that defines it
    when: conditions.Node
    applies: list[conditions.Node]
    lines: yamlsource.Located

    @property
    def id(self) -> str:
        return self.spec.id

    def case_line(self, index: int) -> int:
        return self.lines.line(("cases", index))


@dataclass
class Pack:
    meta: PackFile | None
    directory: Path
    rules: list[Rule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    located: yamlsource.Located | None = None
    #: After resolution: the rules in force (own and inherited), by id.
    resolved: dict[str, Rule] = field(default_factory=dict)
    #: Inherited rules this pack turned off: id -> reason (disable) or the replacing rule.
    dropped: dict[str, str] = field(default_factory=dict)
    #: Every pack this one inherits from, nearest first.
    ancestors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.meta.id if self.meta else self.directory.name

    @property
    def ok(self) -> bool:
        return self.meta is not None and not self.problems

    def problem(
        self, file: Path, located: yamlsource.Located | None, path: tuple, message: str
    ) -> None:
        line = located.line(path) if located else 1
        self.problems.append(Problem(file, line, _key(path), message))


# --------------------------------------------------------------------------- one pack


def _pydantic_problems(
    pack: Pack, file: Path, located: yamlsource.Located, error: ValidationError
) -> None:
    for item in error.errors():
        loc = tuple(item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
        elif item["type"] == "missing":
            message = f"missing required key {loc[-1]!r}"
        elif item["type"] == "literal_error":
            message = (
                f"{item['input']!r} is not allowed: {item['msg'].removeprefix('Input should be ')}"
            )
        pack.problem(file, located, loc, message)


def load_pack(directory: Path) -> Pack:
    """Read and check one pack folder on its own (resolution happens in :class:`Catalog`)."""
    directory = Path(directory)
    pack = Pack(meta=None, directory=directory)
    pack_file = directory / "pack.yaml"
    try:
        located = yamlsource.load(pack_file)
    except FileNotFoundError:
        pack.problems.append(Problem(pack_file, 1, "", "no pack.yaml in this folder"))
        return pack
    except yamlsource.YamlError as error:
        pack.problems.append(Problem(error.file, error.line, "", error.message))
        return pack
    pack.located = located
    if not isinstance(located.data, dict):
        pack.problem(pack_file, located, (), "pack.yaml must be a mapping (id, title, …)")
        return pack
    try:
        pack.meta = PackFile.model_validate(located.data)
    except ValidationError as error:
        _pydantic_problems(pack, pack_file, located, error)
        return pack
    meta = pack.meta
    if meta.effective_until and meta.effective_until < meta.effective_from:
        pack.problem(
            pack_file, located, ("effective_until",), "effective_until is before effective_from"
        )
    rule_files = sorted((directory / "rules").rglob("*.yaml")) + sorted(
        (directory / "rules").rglob("*.yml")
    )
    if not rule_files:
        pack.problem(pack_file, located, (), "the pack has no rules (rules/*.yaml)")
    seen: dict[str, Path] = {}
    for file in rule_files:
        rule = _load_rule(pack, file)
        if rule is None:
            continue
        if rule.id in seen:
            pack.problem(
                file,
                rule.lines,
                ("id",),
                f"duplicate rule id {rule.id!r} (also in {seen[rule.id]})",
            )
            continue
        seen[rule.id] = file
        pack.rules.append(rule)
    return pack


def _load_rule(pack: Pack, file: Path) -> Rule | None:
    try:
        located = yamlsource.load(file)
    except yamlsource.YamlError as error:
        pack.problems.append(Problem(error.file, error.line, "", error.message))
        return None
    if not isinstance(located.data, dict):
        pack.problem(
            file, located, (), "a rule file holds one rule: a mapping with id, title, when, …"
        )
        return None
    try:
        spec = RuleFile.model_validate(located.data)
    except ValidationError as error:
        _pydantic_problems(pack, file, located, error)
        # Still check the condition, so one run reports everything wrong with the file.
        if isinstance(located.data.get("when"), dict):
            try:
                conditions.parse(located.data["when"])
            except conditions.ConditionErrors as errors:
                for path, message in errors.problems:
                    pack.problem(file, located, path, message)
        return None
    before = len(pack.problems)
    try:
        when = conditions.parse(spec.when)
        conditions.terms(when)
    except conditions.ConditionErrors as errors:
        for path, message in errors.problems:
            pack.problem(file, located, path or ("when",), message)
        when = None
    for name in ("message", "remediation"):
        for match in PLACEHOLDER.finditer(getattr(spec, name)):
            path = match.group(1)
            if lookup(path) is None:
                pack.problem(file, located, (name,), f"{{{path}}}: {unknown_path_message(path)}")
            elif match.group(0).startswith("$") and lookup(path).type != "money":
                pack.problem(
                    file,
                    located,
                    (name,),
                    f"${{{path}}} formats money, but {path} is a {lookup(path).type}",
                )
    for index, case in enumerate(spec.cases):
        for problem in documents.check(case.facts):
            sub = tuple(problem.path.split(".")) if problem.path else ()
            pack.problem(file, located, ("cases", index, "facts", *sub), problem.message)
    if len(pack.problems) > before or when is None:
        return None
    return Rule(spec, file, pack.meta.id, when, applies_conditions(spec), located)


def applies_conditions(spec: RuleFile) -> list[conditions.Node]:
    """``applies_when`` as conditions on the document (every listed key must match)."""
    applies = spec.applies_when
    out = []
    for values, path in (
        (applies.firm_professions, "firm.profession"),
        (applies.partner_professions, "partner.profession"),
        (applies.jurisdictions, "firm.jurisdiction"),
        (applies.directions, "referral.direction"),
        (applies.fee_kinds, "fee.kind"),
    ):
        if values:
            out.append(conditions.member(path, list(values)))
    return out


# --------------------------------------------------------------------------- many packs


def pack_directories(root: Path) -> list[Path]:
    """``root`` if it is a pack, else every pack folder below it."""
    root = Path(root)
    if (root / "pack.yaml").is_file():
        return [root]
    return sorted(p.parent for p in root.rglob("pack.yaml"))


@dataclass
class Catalog:
    """Packs by id, resolved. ``failed`` holds the packs that did not load, with why."""

    packs: dict[str, Pack] = field(default_factory=dict)
    failed: list[Pack] = field(default_factory=list)

    def get(self, pack_id: str) -> Pack | None:
        return self.packs.get(pack_id)

    def rule(self, rule_id: str) -> tuple[Pack, Rule] | None:
        """The pack that defines ``rule_id`` and the rule."""
        for pack in self.packs.values():
            for rule in pack.rules:
                if rule.id == rule_id:
                    return pack, rule
        return None

    def all(self) -> list[Pack]:
        return sorted(self.packs.values(), key=lambda p: p.id)


def build_catalog(directories: list[Path], *, shadowing: int = 0) -> Catalog:
    """Load every pack folder under ``directories`` and resolve inheritance. A later folder
    with an id already seen is a problem of that folder (ids are unique everywhere), except
    that packs in the first ``shadowing`` folders (being written) hide installed ones."""
    loaded: dict[str, Pack] = {}
    failed: list[Pack] = []
    seen_dirs: set[Path] = set()
    shadow_ids: set[str] = set()
    for position, root in enumerate(directories):
        for directory in pack_directories(Path(root)):
            if directory.resolve() in seen_dirs:
                continue
            seen_dirs.add(directory.resolve())
            pack = load_pack(directory)
            if position < shadowing:
                shadow_ids.add(pack.id)
            elif pack.id in shadow_ids:
                continue
            if pack.meta and pack.meta.id in loaded:
                other = loaded[pack.meta.id].directory
                pack.problem(
                    directory / "pack.yaml",
                    pack.located,
                    ("id",),
                    f"pack id {pack.id!r} is already used by {other}",
                )
            loaded.setdefault(pack.id, pack) if pack.ok else failed.append(pack)
    _resolve_all(loaded, failed)
    return Catalog({p.id: p for p in loaded.values() if p.ok}, failed)


def _resolve_all(loaded: dict[str, Pack], failed: list[Pack]) -> None:
    failed_ids = {p.id for p in failed}
    state: dict[str, str] = {}

    def resolve(pack: Pack) -> bool:
        if state.get(pack.id) == "done":
            return pack.ok
        if state.get(pack.id) == "busy":
            return False
        state[pack.id] = "busy"
        file = pack.directory / "pack.yaml"
        inherited: dict[str, Rule] = {}
        for index, parent_id in enumerate(pack.meta.extends):
            parent = loaded.get(parent_id)
            if parent is None:
                why = "failed to load" if parent_id in failed_ids else "is not a known pack"
                known = ", ".join(sorted(loaded)) or "none"
                pack.problem(
                    file,
                    pack.located,
                    ("extends", index),
                    f"extends {parent_id!r}, which {why} (known packs: {known})",
                )
                continue
            if state.get(parent_id) == "busy":
                pack.problem(
                    file,
                    pack.located,
                    ("extends", index),
                    f"extends {parent_id!r}, which extends this pack: a cycle",
                )
                continue
            if not resolve(parent):
                pack.problem(
                    file,
                    pack.located,
                    ("extends", index),
                    f"extends {parent_id!r}, which did not load",
                )
                continue
            for ancestor in [parent_id, *parent.ancestors]:
                if ancestor not in pack.ancestors:
                    pack.ancestors.append(ancestor)
            inherited.update(parent.resolved)
        for index, item in enumerate(pack.meta.disable):
            if item.rule not in inherited:
                pack.problem(
                    file,
                    pack.located,
                    ("disable", index, "rule"),
                    f"disables {item.rule!r}, which is not inherited",
                )
            else:
                inherited.pop(item.rule)
                pack.dropped[item.rule] = item.reason
        for rule in pack.rules:
            replaces = rule.spec.replaces
            if replaces:
                if replaces not in inherited:
                    pack.problem(
                        rule.file,
                        rule.lines,
                        ("replaces",),
                        f"replaces {replaces!r}, which is not inherited",
                    )
                else:
                    inherited.pop(replaces)
                    pack.dropped[replaces] = f"replaced by {rule.id}"
            if rule.id in inherited:
                pack.problem(
                    rule.file,
                    rule.lines,
                    ("id",),
                    f"rule id {rule.id!r} is also inherited from {inherited[rule.id].pack_id} (use replaces)",
                )
        pack.resolved = {**inherited, **{r.id: r for r in pack.rules}}
        state[pack.id] = "done"
        return pack.ok

    for pack in list(loaded.values()):
        resolve(pack)
    for pack_id, pack in list(loaded.items()):
        if not pack.ok:
            failed.append(pack)
            del loaded[pack_id]


def describe_problems(packs: list[Pack]) -> list[str]:
    return [str(problem) for pack in packs for problem in pack.problems]
