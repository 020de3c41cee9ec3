"""Where the book's files are: the notebooks and pages listed in _toc.yml, and the config.

The table of contents is read by scripts/book_toc.py (the scripts need it too); its names are
re-exported here for the tests."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "scripts") not in sys.path:
    sys.path.append(str(ROOT / "scripts"))
from book_toc import _toc_entries, toc_files, toc_notebooks, toc_numbers  # noqa: E402,F401


def load_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())
