"""pytest configuration of every test under tests/ (the book's own tests add theirs in tests/book/conftest.py;
nbval's configuration for the notebooks is book/conftest.py)."""

import os

# The test command runs every claim in strict mode: a finding that fails stops its notebook
# with a ClaimError (readers get a marked line instead; see wsl_lib.claims). Set here, for
# every kernel nbval starts and every test, never by a notebook.
os.environ["WSL_CLAIMS"] = "strict"

