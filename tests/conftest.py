"""pytest configuration shared by the unit tests and by nbval.

nbval compares every output of every notebook cell with the stored one, except the
MIME types in its ``skip_compare`` list. We add the glue records of myst-nb: a glued
value is a learned number (it varies in its last digits between machines) or a
figure, and each one is checked by a visible claim in the notebook instead.
"""

GLUE_MIME_TYPES = tuple(
    f"application/papermill.record/{mime}"
    for mime in ("text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/svg+xml")
)


def pytest_collectstart(collector):
    if collector.path is not None and collector.path.suffix == ".ipynb" and hasattr(collector, "skip_compare"):
        collector.skip_compare = tuple(collector.skip_compare) + GLUE_MIME_TYPES


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
