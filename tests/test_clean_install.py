"""The Colab situation: wsl_lib installed by `pip install .` into a fresh virtual environment,
and every notebook run top to bottom from a directory outside the repository.

The fresh environment reuses the test environment's third-party packages (torch and the
rest, through a path file, so nothing is downloaded) but *not* its editable wsl_lib: the
notebooks import the copy that `pip install .` put into the new environment, and run
in a folder that holds the notebook alone, as on Colab. A notebook that imports a module
of the repository, reads a file next to it or relies on the repository's layout fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from book_files import ROOT, toc_notebooks

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
        "print(nb.cells[-1].outputs[0]['text'].strip())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{clean_python.parent}{os.pathsep}{env['PATH']}"
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run([clean_python, "-c", script, notebook.name], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"{notebook.name} failed outside the repository:\n{result.stderr[-3000:]}"
    # it really ran in the clean environment: the kernel imported the installed copy of wsl_lib
    kernel_wsl_lib = result.stdout.strip().splitlines()[-1]
    assert kernel_wsl_lib.startswith(str(clean_python.parent.parent)), kernel_wsl_lib
