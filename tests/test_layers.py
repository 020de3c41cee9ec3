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
    public = {m for m in modules if not m.startswith("_")}
    assert public <= set(wsl_lib.__all__), f"public modules missing from wsl_lib.__all__: {public - set(wsl_lib.__all__)}"


def _modules():
    return sorted(p for p in (ROOT / "wsl_lib").glob("*.py") if p.stem != "__init__")


def test_every_module_has_a_public_face():
    """``__all__`` in every module lists exactly the functions, classes and constants it defines
    without a leading underscore (issue 23.2): what is not in it is private."""
    import ast

    problems = []
    for path in _modules():
        tree = ast.parse(path.read_text())
        declared, defined = None, set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name) and t.id == "__all__":
                        declared = set(ast.literal_eval(node.value))
                    elif isinstance(t, ast.Name) and t.id[:1].isupper():
                        defined.add(t.id)
        public = {n for n in defined if not n.startswith("_")}
        if declared is None:
            problems.append(f"{path.name}: no __all__")
        elif declared != public:
            problems.append(f"{path.name}: __all__ lacks {sorted(public - declared)}, lists unknown {sorted(declared - public)}")
    assert not problems, problems


def test_no_module_imports_another_modules_private_names():
    """``from .data import _helper`` or ``data._helper`` from another module would make a private
    helper part of two modules (issue 23.2); private *modules* (``_checks``, ``_sweep``) export public names."""
    import ast

    found = []
    for path in _modules():
        tree = ast.parse(path.read_text())
        imported_modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module is None:
                    imported_modules |= {a.asname or a.name for a in node.names}
                found += [f"{path.name}: from .{node.module} import {a.name}" for a in node.names
                          if node.module and a.name.startswith("_")]
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in imported_modules and node.attr.startswith("_")):
                found.append(f"{path.name}: {node.value.id}.{node.attr}")
    assert not found, found


def test_seeds_become_generators_only_in_seeding():
    """One seed mechanism (issue 23.4): no module but wsl_lib/seeding.py seeds a random-number
    generator itself, so ``WSL_SEED`` moves every random choice of the book."""
    import re

    pattern = re.compile(r"manual_seed|np\.random\.seed|random\.seed\(|RandomState|torch\.Generator\(|default_rng")
    found = [f"{p.name}:{i}: {line.strip()}" for p in _modules() if p.name != "seeding.py"
             for i, line in enumerate(p.read_text().splitlines(), 1)
             if pattern.search(line) and not line.lstrip().startswith(("#", '"', "'"))]
    assert not found, found


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
