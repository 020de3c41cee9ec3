"""wsl_lib is layered as its package docstring says; import-linter enforces it (contract in pyproject.toml)."""

import importlib
import inspect
import pkgutil
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


def test_every_public_function_names_its_chapter():
    """Each public function and class says which chapter derives or uses it (issue 16.9), as d2l's do."""
    missing = []
    for info in pkgutil.iter_modules(wsl_lib.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"wsl_lib.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                doc = (inspect.getdoc(obj) or "").lower()
                if "chapter" not in doc and "first look" not in doc:
                    missing.append(f"{info.name}.{name}")
    assert not missing, f"docstrings that name no chapter: {missing}"
