"""`make mutation` is set up consistently: what it mutates, the tests it runs, its reviewed survivors.

The mutation run itself takes minutes and is not part of the test command; these checks keep its
configuration (``[tool.mutmut]`` in pyproject.toml) and its list of survivors judged equivalent
(``tests/mutation_survivors.txt``) from going stale.
"""

from __future__ import annotations

import importlib
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import mutation_score  # noqa: E402

CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
NAME = re.compile(r"^wsl_lib\.(\w+)\.x_(\w+)__mutmut_(\d+)$")


def test_the_mutated_modules_and_the_tests_exist():
    assert CONFIG["source_paths"] == ["wsl_lib/"]
    mutated = {Path(p).stem for p in CONFIG["only_mutate"]}
    assert mutated == {"cam", "gradcam", "boxes", "localize", "metrics"}
    for path in CONFIG["only_mutate"] + CONFIG["pytest_add_cli_args_test_selection"]:
        assert (ROOT / path).is_file(), path
    assert "not slow" in CONFIG["pytest_add_cli_args"], "the mutation run uses the fast unit tests"


def test_every_reviewed_survivor_names_a_function_and_gives_a_reason():
    reviewed = mutation_score.reviewed_survivors()
    assert reviewed, "the list of survivors judged equivalent is empty"
    mutated = {Path(p).stem for p in CONFIG["only_mutate"]}
    for name, reason in reviewed.items():
        match = NAME.match(name)
        assert match, f"not a mutmut mutant name: {name}"
        module, function, _ = match.groups()
        assert module in mutated, f"{name}: {module} is not mutated"
        assert hasattr(importlib.import_module(f"wsl_lib.{module}"), function), f"{name}: no function {function}"
        assert len(reason.split()) >= 3, f"{name}: say why it is equivalent"


def test_make_mutation_installs_the_pinned_mutmut_and_reports_the_score():
    assert re.search(r"^mutmut==\d+\.\d+\.\d+$", (ROOT / "requirements-mutation.txt").read_text(), re.M)
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("\nmutation:", 1)[1].split("\n\n", 1)[0]
    assert "requirements-mutation.txt" in target and "mutmut run" in target and "mutation_score.py" in target
