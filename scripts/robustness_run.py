"""The runs of the robustness report: which runs (seeds, drawn confirmation seeds, the older CPU
code path), executing them ``jobs`` at a time, each in a worker process that runs every notebook
in a fresh kernel and records its claims, checks, glued values and differing outputs.

A worker is ``scripts/robustness.py --worker NAME --result FILE NOTEBOOK...`` (:func:`run_worker`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from robustness_compare import _sanitizers, claims_of, code_cells, compare, glue_of

ROOT = Path(__file__).resolve().parent.parent
COMMAND = Path(__file__).resolve().with_name("robustness.py")     # the command line; its --worker runs one run
DEFAULT_SEEDS = (1, 2, 3, 4, 5)          # exploration seeds (seed 0 is the stored book)
CONFIRMATION_COUNT = 3                    # confirmation seeds per fingerprint, at least
CONFIRMATION_RANGE = (10, 100_000)        # drawn from [10, 100000): never an exploration seed
# the older CPU code paths: AVX2 on a CPU whose PyTorch kernels use AVX-512, SSE4.1 otherwise
AVX2_ENV = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}
SSE41_ENV = {"ONEDNN_MAX_CPU_ISA": "SSE41", "ATEN_CPU_CAPABILITY": "default"}
OLDER_ISA_ENVS = (AVX2_ENV, SSE41_ENV)
ISA_VARS = ("ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY")


def cpu_capability() -> str:
    """The instruction set PyTorch's CPU kernels use on this machine (``torch.backends.cpu
    .get_cpu_capability()``: ``"AVX512"``, ``"AVX2"``, ``"DEFAULT"``...), asked of a fresh
    interpreter without ``ATEN_CPU_CAPABILITY``, so that it is the CPU's own, not a cap."""
    env = {k: v for k, v in os.environ.items() if k not in ISA_VARS}
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def older_isa_env(capability: str | None = None) -> dict:
    """The env of the run on older CPU code paths: one instruction set below this CPU's.

    On a CPU whose PyTorch kernels use AVX-512 (``capability`` ``"AVX512"``, by default
    :func:`cpu_capability`), AVX2 (``ONEDNN_MAX_CPU_ISA=AVX2``, ``ATEN_CPU_CAPABILITY=avx2``): what
    most laptops run, another code path with other float sums, and about as fast as the
    default (SSE4.1 took 3.2 times a normal run, half the whole report's time). On a CPU that
    already runs AVX2 or less, SSE4.1 (``ONEDNN_MAX_CPU_ISA=SSE41``, ``ATEN_CPU_CAPABILITY=default``),
    so that the path is still another one. The report records each run's env, so the page
    says which path ran.

    Examples:
        >>> older_isa_env("AVX512")["ATEN_CPU_CAPABILITY"]
        'avx2'
        >>> older_isa_env("AVX2")["ONEDNN_MAX_CPU_ISA"]
        'SSE41'
    """
    capability = cpu_capability() if capability is None else capability
    return dict(AVX2_ENV if capability.upper().startswith("AVX512") else SSE41_ENV)


# --------------------------------------------------------------------------- the seeds

def confirmation_seeds(fp: str, count: int = CONFIRMATION_COUNT, exclude=()) -> list[int]:
    """``count`` seeds drawn from the fingerprint ``fp``: SHA-256 of ``fp`` and a counter, taken into
    ``CONFIRMATION_RANGE``, skipping the exploration seeds (0 to 5 and below the range anyway),
    the seeds in ``exclude`` (those of earlier reports) and repeats. The same fingerprint always
    gives the same seeds; any change to the book's code gives others."""
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"count: expected a non-negative integer, got {count!r}")
    low, high = CONFIRMATION_RANGE
    taken = set(exclude) | {0, *DEFAULT_SEEDS}
    seeds, i = [], 0
    while len(seeds) < count:
        digest = hashlib.sha256(f"{fp}:confirmation:{i}".encode()).hexdigest()
        seed = low + int(digest, 16) % (high - low)
        if seed not in taken:
            seeds.append(seed)
            taken.add(seed)
        i += 1
    return seeds


def check_seed_sets(exploration, confirmation) -> None:
    """A clear error when a confirmation seed is also an exploration seed (or seed 0), or repeats."""
    shared = sorted(set(exploration) & set(confirmation) | ({0} & set(confirmation)))
    if shared:
        raise ValueError(f"confirmation seeds: expected seeds that no exploration run used, got {shared} "
                         f"in both (exploration: {sorted(exploration)}, confirmation: {sorted(confirmation)})")
    if len(set(confirmation)) != len(confirmation) or len(set(exploration)) != len(exploration):
        raise ValueError(f"seeds: expected no repeats, got exploration {list(exploration)} and confirmation "
                         f"{list(confirmation)}")


# --------------------------------------------------------------------------- one run (a worker process)

def run_worker(name: str, notebooks: list[Path], result_path: Path) -> int:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    pairs = _sanitizers()
    results = {}
    for path in notebooks:
        stored = json.loads(path.read_text())
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=900, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        entry = {"status": "ok"}
        try:
            client.execute()
        except CellExecutionError as error:
            entry = {"status": "crashed", "error": str(error)[-3000:]}
        except Exception as error:   # a kernel that died, a timeout
            entry = {"status": "crashed", "error": f"{type(error).__name__}: {error}"[-3000:]}
        seconds = time.perf_counter() - start
        ran = json.loads(nbformat.writes(nb))
        claims, checks = claims_of(code_cells(ran))
        entry.update(seconds=round(seconds, 1), claims=claims, checks=checks,
                     diffs=compare(stored, ran, pairs) if entry["status"] == "ok" else [],
                     glue=glue_of(code_cells(ran)))
        results[path.name] = entry
        failed = sum(not c["held"] for c in claims)
        print(f"[{name}] {path.name}: {seconds:5.0f} s, {len(claims)} claims ({failed} failed), "
              f"{len(entry['diffs'])} differing outputs" + ("  CRASHED" if entry["status"] != "ok" else ""),
              flush=True)
        result_path.write_text(json.dumps(results))
        if entry["status"] != "ok":
            break
    return 0


# --------------------------------------------------------------------------- the whole run

def planned_runs(seeds, isa: bool, confirmation=()) -> list[dict]:
    """The runs, the slowest first (older CPU code paths are slower), so that the others fill the
    remaining slots while it runs. Each run says its kind: ``exploration``, ``confirmation`` or
    ``code path``; the code path's run has the env of :func:`older_isa_env`."""
    check_seed_sets(seeds, confirmation)
    runs = [{"name": f"seed {s}", "seed": s, "env": {}, "kind": "exploration"} for s in seeds]
    runs += [{"name": f"seed {s} (confirmation)", "seed": s, "env": {}, "kind": "confirmation"} for s in confirmation]
    if isa:
        runs.insert(0, {"name": "seed 0, older CPU code paths", "seed": 0, "env": older_isa_env(), "kind": "code path"})
    return runs


def execute_runs(runs: list[dict], notebooks: list[Path], jobs: int) -> dict:
    threads = max(1, (os.cpu_count() or 2) // jobs)
    scratch = Path(tempfile.mkdtemp(prefix="wsl-robustness-"))
    pending, active, done = list(runs), [], {}
    start = time.perf_counter()
    while pending or active:
        while pending and len(active) < jobs:
            run = pending.pop(0)
            cache = scratch / f"cache-{len(done) + len(active)}-{run['seed']}"
            result = scratch / f"{run['name'].replace(' ', '_').replace(',', '')}.json"
            env = dict(os.environ, WSL_SEED=str(run["seed"]), WSL_CLAIMS="report", WSL_LIB_CACHE=str(cache),
                       OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), **run["env"])
            for var in ("ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY"):
                if var not in run["env"]:
                    env.pop(var, None)
            cmd = [sys.executable, str(COMMAND), "--worker", run["name"], "--result", str(result),
                   *[str(p) for p in notebooks]]
            print(f"start {run['name']} ({threads} thread{'s' if threads > 1 else ''}"
                  + "".join(f", {k}={v}" for k, v in run["env"].items()) + ")", flush=True)
            active.append((run, result, subprocess.Popen(cmd, env=env, cwd=ROOT)))
        time.sleep(2)
        for item in list(active):
            run, result, proc = item
            if proc.poll() is not None:
                active.remove(item)
                notebooks_done = json.loads(result.read_text()) if result.exists() else {}
                done[run["name"]] = {"seed": run["seed"], "env": run["env"], "kind": run["kind"], "threads": threads,
                                     "returncode": proc.returncode, "notebooks": notebooks_done}
                print(f"done {run['name']} after {time.perf_counter() - start:.0f} s "
                      f"({len(done)} of {len(runs)} runs)", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)          # the runs' model caches and result files
    return done


def stored_seed0(notebooks: list[Path]) -> dict:
    out = {}
    for path in notebooks:
        cells = code_cells(json.loads(path.read_text()))
        claims, checks = claims_of(cells)
        out[path.name] = {"status": "ok", "claims": claims, "checks": checks, "diffs": [], "glue": glue_of(cells)}
    return out


def crashes(runs: dict, notebooks: list[Path]) -> list[str]:
    problems = []
    for name, run in runs.items():
        for path in notebooks:
            entry = run["notebooks"].get(path.name)
            if entry is None:
                problems.append(f"{name}: {path.name} did not run (the worker exited with {run['returncode']})")
                break
            if entry["status"] != "ok":
                problems.append(f"{name}: {path.name} crashed:\n{entry['error']}")
                break
    return problems
