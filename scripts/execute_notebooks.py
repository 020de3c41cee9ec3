"""Re-execute the book's notebooks in place: restart, run all, store clean outputs.

    python scripts/execute_notebooks.py                   # every notebook listed in _toc.yml
    python scripts/execute_notebooks.py book/ch03_cam.ipynb

Each notebook runs in a fresh kernel of the current Python environment, from the
``book/`` directory (as nbval and a reader do). Stream outputs are merged and
carriage returns resolved (a progress bar is stored as its final state, which is
what nbval compares), so the stored notebook is exactly what CI verifies. The
wall time of each notebook is printed and written to ``book/_data/execution_times.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from book_files import toc_notebooks  # noqa: E402

_CARRIAGE_RETURN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)


def clean_outputs(nb) -> None:
    """Merge consecutive stream outputs of a cell and resolve carriage returns, as nbval does."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for out in cell.outputs:
            if out.output_type == "stream" and merged and merged[-1].output_type == "stream" \
                    and merged[-1].name == out.name:
                merged[-1].text += out.text
            else:
                merged.append(out)
        for out in merged:
            if out.output_type == "stream":
                text = out.text.replace("\r\n", "\n")
                out.text = _CARRIAGE_RETURN.sub("", text)
        cell.outputs = merged
        cell.metadata.pop("execution", None)


def execute(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    clean_outputs(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all in _toc.yml)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or toc_notebooks()
    times_file = ROOT / "book" / "_data" / "execution_times.json"
    times = json.loads(times_file.read_text()) if times_file.exists() else {}
    for path in paths:
        seconds = execute(path)
        times[path.name] = round(seconds, 1)
        print(f"{seconds:6.1f} s  {path.relative_to(ROOT)}", flush=True)
    times_file.parent.mkdir(exist_ok=True)
    times_file.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
