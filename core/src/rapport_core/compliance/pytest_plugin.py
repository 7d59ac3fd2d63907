"""pytest plugin (entry point ``pytest11``): ``pytest --rulepacks PATH`` collects every
example case of the packs at PATH as a test; ``--rulepacks registered`` collects the cases
of every registered pack (the hook and RAPPORT_RULEPACK_PATH). Without the option nothing is
collected, so the plugin costs nothing in other test runs."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rapport", "Rapport rule packs")
    group.addoption(
        "--rulepacks",
        action="append",
        default=[],
        metavar="PATH",
        help="collect the example cases of the rule packs at PATH ('registered': every registered pack)",
    )


class RulepackCase(pytest.Item):
    def __init__(self, *, pack, rule, index, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pack, self.rule, self.index = pack, rule, index
        if rule.spec.cases[index].expect == "todo":
            self.add_marker(pytest.mark.skip(reason="todo case"))

    def runtest(self) -> None:
        from rapport_core.compliance.cases import run_case

        result = run_case(self.pack, self.rule, self.index)
        if result.outcome == "failed":
            raise RulepackCaseFailed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, RulepackCaseFailed):
            result = excinfo.value.result
            return f"{result.file}:{result.line}: {result.label}\n{result.detail}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return (
            self.rule.file,
            self.rule.case_line(self.index) - 1,
            f"{self.rule.id} :: {self.rule.spec.cases[self.index].name}",
        )


class RulepackCaseFailed(Exception):
    def __init__(self, result) -> None:
        super().__init__(result.detail)
        self.result = result


class RulepackProblems(pytest.Item):
    """A pack that did not load: one failing test listing its problems."""

    def __init__(self, *, problems, **kwargs) -> None:
        super().__init__(**kwargs)
        self.problems = problems

    def runtest(self) -> None:
        raise RulepackCaseFailed(None)

    def repr_failure(self, excinfo, style=None):
        return "the pack did not load:\n" + "\n".join(str(p) for p in self.problems)

    def reportinfo(self):
        return self.path, 0, self.name


class RulepackCollector(pytest.Collector):
    def __init__(self, *, roots, **kwargs) -> None:
        super().__init__(**kwargs)
        self.roots = roots

    def collect(self):
        from rapport_core.compliance.catalog import load_catalog

        explicit = [r for r in self.roots if r != "registered"]
        catalog = load_catalog([Path(r) for r in explicit])
        wanted = [Path(r).resolve() for r in explicit]

        def chosen(pack) -> bool:
            if "registered" in self.roots:
                return True
            directory = pack.directory.resolve()
            return any(directory == root or root in directory.parents for root in wanted)

        for pack in catalog.failed:
            if chosen(pack):
                yield RulepackProblems.from_parent(
                    self,
                    name=f"{pack.id}::load",
                    problems=pack.problems,
                    path=pack.directory / "pack.yaml",
                )
        for pack in catalog.all():
            if not chosen(pack):
                continue
            for rule in sorted(pack.rules, key=lambda r: r.id):
                for index, case in enumerate(rule.spec.cases):
                    yield RulepackCase.from_parent(
                        self,
                        name=f"{pack.id}::{rule.id}::{case.name}",
                        pack=pack,
                        rule=rule,
                        index=index,
                        path=rule.file,
                    )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list
) -> None:
    roots = config.getoption("rulepacks")
    if not roots:
        return
    collector = RulepackCollector.from_parent(
        session, name="rulepacks", roots=roots, path=Path(config.rootpath)
    )
    items.extend(collector.collect())
