"""`pytest --rulepacks PATH` collects every case as a test: passing, failing and todo."""

import subprocess
import sys

from tests.compliance.conftest import PACKS


def run_pytest(tmp_path, packs):
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    )
    (tmp_path / "empty").mkdir()
    command = [sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path),
               "-p", "no:cacheprovider", "-q", "-rA", "--rulepacks", str(packs), str(tmp_path / "empty")]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_every_case_is_a_test_failures_say_where_and_todo_is_skipped(tmp_path):
    result = run_pytest(tmp_path, PACKS)  # the good packs and the broken ones, in one run
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("PASSED")
        and line.endswith("::rulepacks::test-base::base.share-cap::exactly a quarter")
        for line in lines
    )
    assert any(line.startswith("SKIPPED") and "todo case" in line for line in lines)
    assert "wrong-case/rules/r.yaml:15: wrong.cap :: exactly a quarter" in result.stdout
    assert "expected wrong.cap to fire; it did not" in result.stdout
    assert any(
        line.startswith("FAILED") and "::rulepacks::unknown-fact::load" in line for line in lines
    )
    # 7 broken packs and one wrong case fail; 17 good cases and 3 of wrong-case pass.
    assert "8 failed, 20 passed, 1 skipped" in result.stdout
