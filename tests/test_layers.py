"""wsl_lib is layered as its package docstring says; import-linter enforces it (contract in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import wsl_lib

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports (import-linter, pinned in requirements.txt) is not installed")
    return found


def test_every_module_imports_only_lower_layers():
    result = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_the_docstring_and_the_contract_list_every_module():
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    in_contract = {m.strip() for layer in contract["layers"] for m in layer.split("|")}
    modules = {p.stem for p in (ROOT / "wsl_lib").glob("*.py") if p.stem != "__init__"}
    assert in_contract == modules, f"not in the layers contract: {modules - in_contract}; gone: {in_contract - modules}"
    doc = wsl_lib.__doc__
    assert all(m in doc for m in modules if not m.startswith("_")), "a public module is missing from wsl_lib's docstring"
