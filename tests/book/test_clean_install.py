"""The Colab situation: wsl_lib installed by `pip install .` into a fresh virtual environment,
and every notebook run top to bottom from a directory outside the repository; and there, the
notebook's outputs compared with the stored ones, as nbval compares them.

This is the test command's one execution of every notebook: it gives both guarantees at once,
that each notebook runs as a reader on Colab runs it, and that it prints exactly what the book
shows (every text output of every cell, sanitized by tests/sanitize.cfg; glue records, images and
cells tagged ``nbval-ignore-output`` or ``nbval-skip`` left out, as in nbval; the comparison is
``compare`` of scripts/robustness.py, which the robustness run uses too). Claims run in strict
mode (tests/conftest.py), so a finding that fails stops its notebook. ``make determinism`` runs
nbval itself over the notebooks, in the repository's environment.

The fresh environment reuses the test environment's third-party packages (torch and the
rest, through a path file, so nothing is downloaded) but *not* its editable wsl_lib: the
notebooks import the copy that `pip install .` put into the new environment, and run
in a folder that holds the notebook alone, as on Colab. A notebook that imports a module
of the repository, reads a file next to it or relies on the repository's layout fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

from book_files import ROOT, toc_notebooks

sys.path.insert(0, str(ROOT / "scripts"))
from robustness import _sanitizers, compare  # noqa: E402

pytestmark = pytest.mark.slow            # left out of `make unit`

NOTEBOOKS = toc_notebooks()


@pytest.fixture(scope="session")
def clean_python(tmp_path_factory) -> Path:
    """A new venv with the current environment's packages on its path and wsl_lib installed by `pip install .`."""
    venv = tmp_path_factory.mktemp("clean-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # a plain path line: the packages of the test environment, but not its .pth files, so not
    # the editable install of wsl_lib that points into this repository
    (site / "test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    build = tmp_path_factory.mktemp("build-copy")
    source = shutil.copytree(ROOT, build / "src", ignore=shutil.ignore_patterns(
        ".venv", ".git", "_build*", "*.egg-info", "build", "__pycache__", "test-artifacts"))
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", str(source)],
                   check=True, cwd=build)
    shutil.rmtree(source)
    return python


def test_the_clean_environment_imports_the_installed_copy(clean_python, tmp_path):
    where = subprocess.run([clean_python, "-c", "import wsl_lib; print(wsl_lib.__file__)"], cwd=tmp_path,
                           check=True, capture_output=True, text=True).stdout.strip()
    assert str(ROOT) not in where and "site-packages" in where, where


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_outside_the_repository(clean_python, notebook, tmp_path):
    shutil.copy(notebook, tmp_path / notebook.name)
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "nb.cells.append(nbformat.v4.new_code_cell('import wsl_lib; print(wsl_lib.__file__)'))\n"
        "NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': '.'}}).execute()\n"
        "print(nb.cells.pop()['outputs'][0]['text'].strip())\n"
        "nbformat.write(nb, 'executed.ipynb')\n"
    )
    # no MPLBACKEND: the kernel then draws figures inline, as on Colab and in the stored notebooks
    # (whose "<Figure size ...>" text the comparison reads)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "MPLBACKEND")}
    env["PATH"] = f"{clean_python.parent}{os.pathsep}{env['PATH']}"
    result = subprocess.run([clean_python, "-c", script, notebook.name], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"{notebook.name} failed outside the repository:\n{result.stderr[-3000:]}"
    # it really ran in the clean environment: the kernel imported the installed copy of wsl_lib
    kernel_wsl_lib = result.stdout.strip().splitlines()[-1]
    assert kernel_wsl_lib.startswith(str(clean_python.parent.parent)), kernel_wsl_lib
    # ... and printed what the stored notebook shows, as nbval compares it
    stored = json.loads(notebook.read_text())
    ran = json.loads(nbformat.writes(nbformat.read(tmp_path / "executed.ipynb", as_version=4)))
    assert len([c for c in ran["cells"] if c["cell_type"] == "code"]) == \
        len([c for c in stored["cells"] if c["cell_type"] == "code"])
    differing = compare(stored, ran, _sanitizers(), claim_lines=True)
    assert not differing, f"{notebook.name}: outputs differ from the stored ones (re-execute it: make execute):\n" + \
        "\n".join(f"code cell {d['cell']} ({d['source'][:80]!r}):\n  stored: {d['expected']}\n  run:    {d['got']}"
                  for d in differing)


def test_the_comparison_sees_a_changed_output_and_skips_what_nbval_skips():
    pairs = _sanitizers()
    cell = {"cell_type": "code", "source": "print(1)", "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}]}
    other = dict(cell, outputs=[{"output_type": "stream", "name": "stdout", "text": "2\n"}])
    assert compare({"cells": [cell]}, {"cells": [cell]}, pairs) == []
    assert compare({"cells": [cell]}, {"cells": [other]}, pairs)[0]["cell"] == 0
    ignored = dict(cell, metadata={"tags": ["nbval-ignore-output"]})
    assert compare({"cells": [ignored]}, {"cells": [other]}, pairs) == []
    claimed = dict(cell, outputs=[{"output_type": "stream", "name": "stdout", "text": "\u2713 A beats B\n"}])
    restated = dict(cell, outputs=[{"output_type": "stream", "name": "stdout", "text": "\u2713 A beats C\n"}])
    assert compare({"cells": [claimed]}, {"cells": [restated]}, pairs, claim_lines=True)
    assert not compare({"cells": [claimed]}, {"cells": [restated]}, pairs)     # the robustness run counts them
    glued = {"output_type": "display_data", "metadata": {"scrapbook": {"name": "x"}},
             "data": {"application/papermill.record/text/plain": "'58.1%'"}}
    assert compare({"cells": [dict(cell, outputs=[glued])]},
                   {"cells": [dict(cell, outputs=[dict(glued, data={"application/papermill.record/text/plain": "'9%'"})])]},
                   pairs) == []
