"""How robust are the findings: run the book under other seeds and CPU code paths, and record what holds.

    python scripts/robustness.py                 # make robustness: exploration seeds 1-5, three confirmation
                                                 # seeds, and seed 0 on older CPU code paths
    python scripts/robustness.py --seeds 7 8 --confirm 0 --no-isa --no-write book/ch04_localization.ipynb

Each *run* executes every notebook of ``_toc.yml`` in book order, in a fresh kernel, with an
empty model cache of its own, under one setting:

* ``seed N``: ``WSL_SEED=N`` moves every random choice of the book (data, initial weights,
  shuffling, augmentation; see ``wsl_lib.seeding``). Two kinds of seed:

  - **exploration seeds** 0 (the stored book) and 1 to 5: authors look at them to write a claim
    and to set its bound from their spread;
  - **confirmation seeds** (three by default): drawn from the fingerprint of the book's code
    (:func:`confirmation_seeds`), so nobody chooses them, any change to an experiment or a claim
    draws new ones, and a claim restated after a failure is confirmed on seeds it never saw.
    They are never exploration seeds and never seeds of an earlier report.

* ``seed 0, older CPU code paths``: one instruction set below this CPU's, the main difference
  between one CPU and another here (``robustness_run.older_isa_env``): on a CPU whose PyTorch
  kernels use AVX-512, AVX2 (``ONEDNN_MAX_CPU_ISA=AVX2``, ``ATEN_CPU_CAPABILITY=avx2``), what most
  laptops run; otherwise SSE4.1 (``ONEDNN_MAX_CPU_ISA=SSE41``, ``ATEN_CPU_CAPABILITY=default``).

Claims are read from the hidden record that every :func:`wsl_lib.claims.claim` call leaves in its
notebook (statement, held, and for a comparison its value, bound and unit), so the report holds,
per claim and run, the *margin* to spare in the claim's own unit. The page shows per claim: held
in exploration, in confirmation and on the older code path; the worst margin over all runs; the
mean of the bounded quantity over the seeds with a 95% t-interval; whether it is *fragile* (its
worst margin is smaller than a quarter of the quantity's standard deviation over the seeds); the
date the claim was first stated as it is now, and whether it ever failed a confirmation seed
(carried from the previous report).

Runs go ``--jobs`` at a time (default 2, each with ``cores / jobs`` threads, so one-thread runs on
this 2-core machine: another order of float sums, too). Claims run in ``report`` mode, so a
failed finding is recorded and the notebook goes on. For every notebook of every run the
script records every claim (held or not), the number of checks, every text output that differs
from the stored one (glue records, images and cells tagged ``nbval-ignore-output`` or
``nbval-skip`` excluded, as in nbval; claim lines are counted as claims) and every glued value.

Seed 0 on the default code path is the stored book itself (nbval verifies it in every test
run), so its claims and glued values are read from the stored notebooks.

The report, ``book/_data/robustness.json``, holds a fingerprint of what decides the results:
the notebooks' code cells and wsl_lib's code without its docstrings and comments. The test
command fails when the fingerprint is stale, when a finding failed in any run or when a text
output differed (``tests/book/test_robustness.py``). The page ``book/robustness.md`` includes the
tables written to ``book/_data/robustness.md``.

When a run crashes (an exception other than a failed claim), the script reports the run, the
notebook and the error, and does not write the report.

This file is the command line; the work is in three modules beside it, whose names it
re-exports: ``robustness_compare`` (the fingerprint, and a run's outputs against the stored
book's), ``robustness_run`` (the seeds and the runs) and ``robustness_tables`` (the page's tables
and figure; the chapters' headline numbers are ``book/_data/headlines.toml``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from book_toc import toc_notebooks
from robustness_compare import (CHECK_PREFIX, CLAIM_PREFIX, FAILED_PREFIX, RECORD_KEY, SKIP_TAGS,  # noqa: F401
                                _code_cells, _is_claim_line, _record_text, _sanitize, _sanitizers, _text,
                                claims_of, code_cells, code_text, compare, compared_text, fingerprint, glue_of)
from robustness_run import (AVX2_ENV, CONFIRMATION_COUNT, CONFIRMATION_RANGE, DEFAULT_SEEDS,  # noqa: F401
                            OLDER_ISA_ENVS, SSE41_ENV, check_seed_sets, confirmation_seeds, cpu_capability,
                            crashes, execute_runs, older_isa_env, planned_runs, run_worker, stored_seed0)
from robustness_tables import (BUDGET_ARMS, BUDGET_FIGURE, BUDGET_POINTS, FRAGILE_SD_FRACTION,  # noqa: F401
                               HEADLINES, HEADLINES_FILE, TABLES, _fmt, _held_cell, _in_unit, _t_interval,
                               claim_history, claim_rows, load_headlines, number, run_kind, seed_summary,
                               write_budget_figure, write_tables)

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "book" / "_data" / "robustness.json"


def _previous_report() -> tuple[dict | None, str | None]:
    """The report as it stands before this run (the last one written), and the date it was committed."""
    if not REPORT.exists():
        return None, None
    previous = json.loads(REPORT.read_text())
    date = subprocess.run(["git", "log", "-1", "--format=%cs", "--", str(REPORT.relative_to(ROOT))], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip() or None
    return previous, date


def earlier_confirmation_seeds(previous: dict | None) -> list[int]:
    """Every confirmation seed of the previous report and of the reports before it (never drawn again)."""
    if not previous:
        return []
    conf = previous.get("confirmation", {})
    return sorted(set(conf.get("earlier", [])) | set(conf.get("seeds", [])))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: all in _toc.yml, in order)")
    parser.add_argument("--seeds", nargs="*", type=int, default=list(DEFAULT_SEEDS),
                        help="exploration seeds (default 1-5)")
    parser.add_argument("--confirm", type=int, default=CONFIRMATION_COUNT,
                        help=f"number of confirmation seeds drawn from the fingerprint (default {CONFIRMATION_COUNT})")
    parser.add_argument("--no-isa", action="store_true", help="leave out the run on older CPU code paths")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (default 2)")
    parser.add_argument("--no-write", action="store_true", help="print the results, write no report")
    parser.add_argument("--tables", action="store_true",
                        help="only rewrite book/_data/robustness.md from the existing report (no runs)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or toc_notebooks()
    if args.worker:
        return run_worker(args.worker, notebooks, args.result)
    if args.tables:
        report = json.loads(REPORT.read_text())
        write_tables(report, TABLES)
        write_budget_figure(report, BUDGET_FIGURE)
        print(f"wrote {TABLES.relative_to(ROOT)} and {BUDGET_FIGURE.relative_to(ROOT)}")
        return 0
    if any(s < 0 for s in args.seeds) or args.jobs < 1 or args.confirm < 0:
        parser.error("--seeds: expected non-negative integers; --jobs: expected at least 1; "
                     "--confirm: expected a non-negative integer")
    writing = not args.no_write
    if writing and (args.confirm < CONFIRMATION_COUNT or sorted(args.seeds) != list(DEFAULT_SEEDS) or args.no_isa
                    or args.notebooks):
        parser.error(f"a report needs the whole book, exploration seeds {list(DEFAULT_SEEDS)}, at least "
                     f"{CONFIRMATION_COUNT} confirmation seeds and the older CPU run: use --no-write for a partial run")
    start = time.perf_counter()
    before = fingerprint()
    previous, previous_date = _previous_report()
    earlier = earlier_confirmation_seeds(previous)
    if previous and previous.get("fingerprint") == before:
        earlier = sorted(set(earlier) - set(previous.get("confirmation", {}).get("seeds", [])))   # a rerun
    confirmation = confirmation_seeds(before, args.confirm, exclude=earlier)
    check_seed_sets(args.seeds, confirmation)
    print(f"exploration seeds {args.seeds}; confirmation seeds {confirmation} (from the fingerprint "
          f"{before[:12]}…)", flush=True)
    runs = execute_runs(planned_runs(args.seeds, not args.no_isa, confirmation), notebooks, args.jobs)
    minutes = (time.perf_counter() - start) / 60
    problems = crashes(runs, notebooks)
    all_runs = {"seed 0 (stored)": {"seed": 0, "env": {}, "kind": "exploration", "threads": None,
                                    "notebooks": stored_seed0(notebooks)}, **runs}
    failed = [(n, nb, c["statement"]) for n, r in all_runs.items() for nb, e in r["notebooks"].items()
              for c in e["claims"] if not c["held"]]
    differing = [(n, nb, d["cell"]) for n, r in all_runs.items() for nb, e in r["notebooks"].items()
                 for d in e["diffs"]]
    print(f"\n{len(all_runs)} runs in {minutes:.1f} min: {len(failed)} failed claims, {len(differing)} differing outputs")
    for n, nb, s in failed:
        print(f"  FAILED  [{n}] {nb}: {s}")
    for n, nb, c in differing:
        print(f"  DIFFERS [{n}] {nb}: code cell {c}")
    if problems:
        print("\nNot writing the report: a run crashed.\n" + "\n\n".join(problems), file=sys.stderr)
        return 1
    if fingerprint() != before:
        print("\nNot writing the report: the notebooks' code or wsl_lib changed during the run.", file=sys.stderr)
        return 1
    if not writing:
        # every glued value of every run, one line per key: what an author needs to set a claim's margin
        for nb in (p.name for p in notebooks):
            keys = sorted({k for r in all_runs.values() if nb in r["notebooks"] for k in r["notebooks"][nb].get("glue", {})})
            for key in keys:
                values = [r["notebooks"][nb].get("glue", {}).get(key, "—").strip("'") for r in all_runs.values()
                          if nb in r["notebooks"]]
                print(f"  {nb} {key}: {' | '.join(values)}")
        return 0
    import nbformat
    sys.path.insert(0, str(ROOT / "scripts"))
    from execute_notebooks import machine
    titles = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        titles[path.name] = next((line[2:].strip() for c in nb.cells if c.cell_type == "markdown"
                                  for line in c.source.splitlines() if line.startswith("# ")), path.name)
    report = {"fingerprint": before, "machine": machine(), "minutes": round(minutes, 1),
              "confirmation": {"seeds": confirmation, "earlier": earlier},
              "notebooks": [p.name for p in notebooks], "titles": titles, "runs": all_runs}
    report["history"] = claim_history(previous, report, time.strftime("%Y-%m-%d"), previous_date)
    REPORT.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    write_tables(report, TABLES)
    write_budget_figure(report, BUDGET_FIGURE)
    fragile = [(nb, r["statement"]) for nb in report["notebooks"] for r in claim_rows(report, nb) if r["fragile"]]
    for nb, statement in fragile:
        print(f"  FRAGILE {nb}: {statement}")
    print(f"wrote {REPORT.relative_to(ROOT)}, {TABLES.relative_to(ROOT)} and {BUDGET_FIGURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
