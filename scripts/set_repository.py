"""Set the book's repository URL everywhere it appears, and check the result.

    python scripts/set_repository.py https://github.com/owner/name     # make set-repository URL=...

The Colab and Binder buttons, the Colab install cell of every notebook, the citation files and
the instructors' table of Colab links are all built from ``repository.url`` in ``_config.yml``.
This script replaces the current URL by the new one in ``_config.yml``, in the first cell of
every notebook of ``_toc.yml``, in ``CITATION.cff`` and ``book/license.md``, regenerates the
instructors' tables (``scripts/course_tables.py``), and then checks that no file still holds the
old URL. The notebooks' outputs are untouched (the first cell has none), so nbval and the
robustness report stay valid: the Colab cell is tagged ``remove-cell`` and left out of the report's
fingerprint.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
from book_toc import toc_notebooks  # noqa: E402

GITHUB = re.compile(r"https://github\.com/[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]+")
TEXT_FILES = ("_config.yml", "CITATION.cff", "book/license.md")


def set_repository(url: str, root: Path = ROOT) -> list[Path]:
    """Replace the configured repository URL by ``url``; returns the files changed."""
    url = url.strip().removesuffix(".git").rstrip("/")
    if not GITHUB.fullmatch(url):
        raise ValueError(f"URL: expected https://github.com/<owner>/<name>, got {url!r}")
    old = yaml.safe_load((root / "_config.yml").read_text())["repository"]["url"]
    changed = []
    for name in TEXT_FILES:
        path = root / name
        if path.exists() and old in path.read_text():
            path.write_text(path.read_text().replace(old, url))
            changed.append(path)
    for nb_path in toc_notebooks():
        path = root / nb_path.relative_to(ROOT)
        nb = json.loads(path.read_text())
        first = nb["cells"][0]
        source = "".join(first["source"])
        if f"git+{old}" in source:
            first["source"] = source.replace(f"git+{old}", f"git+{url}").splitlines(keepends=True)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
            changed.append(path)
    left = [str(p.relative_to(root)) for p in [root / n for n in TEXT_FILES]
            + [root / p.relative_to(ROOT) for p in toc_notebooks()] if p.exists() and old in p.read_text()]
    if left and old != url:
        raise RuntimeError(f"the old URL {old} is still in {left}")
    return changed


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python scripts/set_repository.py https://github.com/<owner>/<name>", file=sys.stderr)
        return 2
    try:
        changed = set_repository(argv[0])
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    for path in changed:
        print(f"updated {path.relative_to(ROOT)}")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "course_tables.py")], check=True, cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
