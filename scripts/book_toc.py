"""Where the book's pages are: the notebooks and pages listed in _toc.yml, in reading order, and
their numbers in the sidebar (for the scripts; tests/book/book_files.py re-exports these for the tests)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _toc_entries(node):
    if isinstance(node, dict):
        for key in ("root", "file"):
            if key in node:
                yield node[key]
        for value in node.values():
            if isinstance(value, (list, dict)):
                yield from _toc_entries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_entries(item)


def toc_files() -> list[Path]:
    """Every page of _toc.yml, resolved to its file (.ipynb or .md), in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    paths = []
    for entry in _toc_entries(toc):
        candidates = [ROOT / entry] if Path(entry).suffix else [ROOT / f"{entry}.ipynb", ROOT / f"{entry}.md"]
        found = [c for c in candidates if c.exists()]
        paths.append(found[0] if found else candidates[0])
    return paths


def toc_numbers() -> dict[str, str]:
    """The number the sidebar gives each page of a numbered part: {"ch03_cam": "3", "ch07_hide_and_seek": "7.9"}.

    Chapters are counted across the numbered parts, as Jupyter Book numbers them. A chapter's
    sections come after its own headings, as Sphinx numbers them: chapter 7 has eight ``##``
    headings (7.1 to 7.8), so its first section page is 7.9. Pages of other parts get none.
    """
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    numbers, chapter = {}, 0

    def headings(entry) -> int:
        path = ROOT / f"{entry['file']}.ipynb"
        if not path.exists():
            return 0
        cells = json.loads(path.read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        return len(re.findall(r"^## ", text, re.M))

    def number(entries, prefix, offset=0):
        nonlocal chapter
        for place, entry in enumerate(entries, start=1):
            if prefix is None:
                chapter += 1
                label = str(chapter)
            else:
                label = f"{prefix}.{offset + place}"
            numbers[Path(entry["file"]).stem] = label
            number(entry.get("sections", []), label, headings(entry))

    for part in toc.get("parts", []):
        if part.get("numbered"):
            number(part.get("chapters", []), None)
    return numbers


def toc_notebooks() -> list[Path]:
    """The notebooks of _toc.yml (an entry without suffix counts when its .ipynb exists)."""
    return [p for p in toc_files() if p.suffix == ".ipynb"]
