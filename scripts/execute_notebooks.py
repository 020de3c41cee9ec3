"""Re-execute the book's notebooks in place: restart, run all, store clean outputs.

    python scripts/execute_notebooks.py                   # every notebook listed in _toc.yml
    python scripts/execute_notebooks.py book/ch03_cam.ipynb

Each notebook runs in a fresh kernel of the current Python environment, from the
``book/`` directory (as nbval and a reader do). Stream outputs are merged and
carriage returns resolved (a progress bar is stored as its final state, which is
what nbval compares), so the stored notebook is exactly what CI verifies. The
wall time of each notebook is printed and written to ``book/_data/execution_times.json``,
and as a Markdown table to ``book/_data/execution_times.md``, which the page "Running this
book" includes.

Two timings, both starting from an empty model cache:

* default, **in book order**: the notebooks run one after the other sharing one cache, as for
  a reader who works through the book (the first look trains the classifier that later chapters
  load) and as in CI. These are the times the 60 s budget applies to.
* ``--cold``: each notebook alone with an empty cache, as for a reader who opens it first
  (on Colab, every notebook): stored as the second column of the table.

``--time-test COMMAND`` (``make time-test``) runs the whole test command instead, timed, and
adds its wall time to the same table: the budget for it is 15 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
from book_toc import toc_notebooks  # noqa: E402

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


def machine() -> str:
    import torch
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    cpu = platform.processor() or platform.machine()
    return (f"{os.cpu_count()} CPU cores ({cpu}), {threads} threads, Python {platform.python_version()}, "
            f"PyTorch {torch.__version__.split('+')[0]}, no GPU" if not torch.cuda.is_available()
            else f"{torch.cuda.get_device_name()} GPU, PyTorch {torch.__version__.split('+')[0]}")


def write_table(times: dict, path: Path) -> None:
    titles = {p.name: p for p in toc_notebooks()}
    rows = []
    for name, seconds in times["notebooks"].items():
        if name in titles:
            nb = nbformat.read(titles[name], as_version=4)
            heading = next((line[2:].strip() for c in nb.cells if c.cell_type == "markdown"
                            for line in c.source.splitlines() if line.startswith("# ")), name)
            cold = times.get("cold", {}).get(name)
            rows.append(f"| [{heading}]({name}) | {seconds:.0f} s | {'—' if cold is None else f'{cold:.0f} s'} |")
    total = sum(s for n, s in times["notebooks"].items() if n in titles)
    test = times.get("test_command")
    test_line = ("" if test is None else
                 f"The whole test command, `make test` with `.venv` installed (unit tests, every notebook "
                 f"run once from a clean install with its outputs compared, both book builds, the browser "
                 f"test), took {test['seconds'] / 60:.1f} min on {test['machine']} (`make time-test`; the "
                 f"budget is 15 min).\n")
    path.write_text("| notebook | in book order | alone, nothing cached |\n| --- | ---: | ---: |\n" + "\n".join(rows)
                    + f"\n| **all notebooks** | **{total:.0f} s** | |\n\n"
                    + f"Measured by `make execute` (in book order, one model cache shared by the run) and "
                    + f"`make execute-cold` (each notebook alone, empty cache) on {times['machine']}.\n"
                    + (f"\n{test_line}" if test_line else ""))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all in _toc.yml)")
    parser.add_argument("--warm-cache", action="store_true",
                        help="use the per-user model cache (default: an empty one, shared by the run)")
    parser.add_argument("--cold", action="store_true",
                        help="empty the cache before every notebook and record the times as 'cold'")
    parser.add_argument("--time-test", metavar="COMMAND",
                        help="time this test command (run from the repository root) instead of the notebooks")
    args = parser.parse_args(argv)
    times_file = ROOT / "book" / "_data" / "execution_times.json"
    times = json.loads(times_file.read_text()) if times_file.exists() else {}
    if args.time_test:
        start = time.perf_counter()
        # the run checks the recorded time of the test command, which this run is about to measure
        env = dict(os.environ, WSL_BOOK_TIMING_TEST_COMMAND="1")
        returncode = subprocess.call(shlex.split(args.time_test), cwd=ROOT, env=env)
        seconds = time.perf_counter() - start
        print(f"{seconds:6.1f} s  {args.time_test}  (exit status {returncode})", flush=True)
        if returncode != 0:
            return returncode          # a failing run's time means nothing
        times["test_command"] = {"command": args.time_test, "seconds": round(seconds, 1), "machine": machine()}
        times_file.write_text(json.dumps(times, indent=1) + "\n")
        write_table(times, times_file.with_suffix(".md"))
        return 0
    if not args.warm_cache:
        # the run starts with an empty model cache of its own
        fresh = tempfile.TemporaryDirectory(prefix="wsl-cache-")
        os.environ["WSL_LIB_CACHE"] = fresh.name
    paths = [p.resolve() for p in args.notebooks] or toc_notebooks()
    key = "cold" if args.cold else "notebooks"
    notebooks = times.get(key, {})
    for path in paths:
        if args.cold:
            for stale in Path(os.environ["WSL_LIB_CACHE"]).glob("*"):
                stale.unlink()
        seconds = execute(path)
        notebooks[path.name] = round(seconds, 1)
        print(f"{seconds:6.1f} s  {path.relative_to(ROOT)}", flush=True)
    order = [p.name for p in toc_notebooks()]
    times[key] = {n: notebooks[n] for n in sorted(notebooks, key=lambda n: order.index(n) if n in order else 99)}
    times["machine"] = machine()
    times_file.parent.mkdir(exist_ok=True)
    times_file.write_text(json.dumps(times, indent=1) + "\n")
    write_table(times, times_file.with_suffix(".md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
