"""pytest configuration of the unit tests (nbval's configuration for the notebooks is book/conftest.py)."""

import os

# The test command runs every claim in strict mode: a finding that fails stops its notebook
# with a ClaimError (readers get a marked line instead; see wsl_lib.claims). Set here, for
# every kernel nbval starts and every test, never by a notebook.
os.environ["WSL_CLAIMS"] = "strict"


import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def built_book():
    """Build the full HTML book once per session (warnings are errors); the completed process."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run([str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, cwd=ROOT)
