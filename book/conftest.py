"""pytest configuration for nbval over the notebooks of this folder.

A conftest hook applies to the tests under its own folder, so this file sits next to the
notebooks (tests/conftest.py would not reach them).

nbval compares every output of every notebook cell with the stored one, except the
MIME types in its ``skip_compare`` list. We add the glue records of myst-nb: a glued
value is a learned number (it varies in its last digits between machines) or a
figure, and each one is checked by a visible claim in the notebook instead.
"""

import os

# The test command runs every claim in strict mode: a finding that fails stops its notebook
# with a ClaimError (readers get a marked line instead; see wsl_lib.claims). Set here, for
# every kernel nbval starts and every test, never by a notebook.
os.environ["WSL_CLAIMS"] = "strict"


GLUE_MIME_TYPES = tuple(
    f"application/papermill.record/{mime}"
    for mime in ("text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/svg+xml")
)


def pytest_collectstart(collector):
    if collector.path is not None and collector.path.suffix == ".ipynb" and hasattr(collector, "skip_compare"):
        collector.skip_compare = tuple(collector.skip_compare) + GLUE_MIME_TYPES
