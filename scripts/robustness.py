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

* ``seed 0, older CPU code paths``: ``ONEDNN_MAX_CPU_ISA=SSE41`` and ``ATEN_CPU_CAPABILITY=default``,
  the main differences between one CPU and another here.

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
output differed (``tests/test_robustness.py``). The page ``book/robustness.md`` includes the
tables written to ``book/_data/robustness.md``.

When a run crashes (an exception other than a failed claim), the script reports the run, the
notebook and the error, and does not write the report.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from book_files import toc_notebooks  # noqa: E402

REPORT = ROOT / "book" / "_data" / "robustness.json"
TABLES = ROOT / "book" / "_data" / "robustness.md"
BUDGET_FIGURE = ROOT / "book" / "_data" / "ch01_budget_spread.png"      # shown in chapter 1
# chapter 1's budget comparison: (glue key prefix, label, marker) and (glue key suffix, hours)
BUDGET_ARMS = [("ch01_weak", "class labels", "o"), ("ch01_extreme", "boxes, extreme clicking", "s"),
               ("ch01_classic", "boxes, classic", "D")]
BUDGET_POINTS = [("small", 1 / 3), ("medium", 1.0)]
DEFAULT_SEEDS = (1, 2, 3, 4, 5)          # exploration seeds (seed 0 is the stored book)
CONFIRMATION_COUNT = 3                    # confirmation seeds per fingerprint, at least
CONFIRMATION_RANGE = (10, 100_000)        # drawn from [10, 100000): never an exploration seed
FRAGILE_SD_FRACTION = 0.25                # fragile: worst margin < this x the quantity's sd over seeds
RECORD_KEY = "wsl-claim-"                 # the glue keys of wsl_lib.claims' records
ISA_ENV = {"ONEDNN_MAX_CPU_ISA": "SSE41", "ATEN_CPU_CAPABILITY": "default"}
SKIP_TAGS = {"nbval-ignore-output", "nbval-skip"}
CLAIM_PREFIX = "\u2713 "
FAILED_PREFIX = "\u2717 did not hold in this run: "
CHECK_PREFIX = "= checked: "

# The headline numbers of each chapter: (glue key, what it is). The page gives each one's value
# for seed 0 and its spread over the runs.
HEADLINES = {
    "first_look.ipynb": [
        ("first_look_accuracy", "test accuracy of the book's classifier"),
        ("first_look_tuned_acc", "CAM box accuracy, threshold chosen on validation"),
        ("first_look_paper_acc", "CAM box accuracy at the paper's threshold 0.2"),
        ("first_look_baseline_acc", "centred-box baseline"),
    ],
    "ch01_weak_supervision.ipynb": [
        ("ch01_weak_acc", "weak localizer (CAM, validation threshold): box accuracy"),
        ("ch01_full_acc", "fully supervised box regressor (4,000 boxes): box accuracy"),
        ("ch01_weak_small", "budget 1: class labels"),
        ("ch01_extreme_small", "budget 1: extreme clicks"),
        ("ch01_classic_small", "budget 1: classic boxes"),
        ("ch01_weak_medium", "budget 2: class labels"),
        ("ch01_extreme_medium", "budget 2: extreme clicks"),
        ("ch01_classic_medium", "budget 2: classic boxes"),
    ],
    "ch02_gap.ipynb": [
        ("ch02_gap_right", "GAP trained on the left half, tested on the right"),
        ("ch02_flatten_right", "flatten head trained on the left half, tested on the right"),
        ("ch02_gap_localization", "GAP: box accuracy (validation threshold)"),
        ("ch02_gmp_localization", "GMP: box accuracy (validation threshold)"),
        ("ch02_gap_at_paper", "GAP: box accuracy at 0.2"),
        ("ch02_gmp_at_paper", "GMP: box accuracy at 0.2"),
    ],
    "ch03_cam.ipynb": [
        ("ch03_area_max", "area kept at 0.2, divided by the maximum"),
        ("ch03_area_minmax", "area kept at 0.2, min-max normalized"),
        ("ch03_best_standard", "best box accuracy, 8x8 maps"),
        ("ch03_best_deep", "best box accuracy, 4x4 maps (deeper network)"),
    ],
    "ch04_localization.ipynb": [
        ("ch04_best_threshold", "best threshold (fraction of the maximum)"),
        ("ch04_top1_best", "top-1 localization at the best threshold"),
        ("ch04_top1_02", "top-1 localization at the paper's 0.2"),
        ("ch04_triangles_missed", "triangles missed"),
    ],
    "ch05_segmentation.ipynb": [
        ("ch05_cam_miou", "CAM pseudo-masks: mIoU"),
        ("ch05_crf_miou", "CAM pseudo-masks after the CRF: mIoU"),
        ("ch05_seg_full", "segmenter, full masks: mIoU"),
        ("ch05_seg_colour", "segmenter, colour-refined box pseudo-masks: mIoU"),
        ("ch05_seg_cam", "segmenter, image labels (CAM pseudo-masks): mIoU"),
    ],
    "ch06_evaluation.ipynb": [
        ("ch06_paper_acc", "BoxAcc at threshold 0.2"),
        ("ch06_best_acc", "BoxAcc at the best threshold"),
        ("ch06_cam_v2", "MaxBoxAccV2, CAM"),
        ("ch06_gradcam_v2", "MaxBoxAccV2, Grad-CAM"),
        ("ch06_gradcampp_v2", "MaxBoxAccV2, Grad-CAM++"),
        ("ch06_fewshot_v2", "MaxBoxAccV2, few-shot regressor"),
        ("ch06_cam_pxap", "PxAP, CAM"),
        ("ch06_fewshot_pxap", "PxAP, few-shot regressor"),
    ],
    "ch06_digits.ipynb": [
        ("ch06dig_gap_accuracy", "digits: test accuracy, GAP"),
        ("ch06dig_gmp_accuracy", "digits: test accuracy, GMP"),
        ("ch06dig_gap_coverage", "digits: object covered at half the peak, GAP"),
        ("ch06dig_gmp_coverage", "digits: object covered at half the peak, GMP"),
        ("ch06dig_gap_at_paper", "digits: GT-known localization at 0.2, GAP"),
        ("ch06dig_gmp_at_paper", "digits: GT-known localization at 0.2, GMP"),
        ("ch06dig_gap_chosen", "digits: GT-known localization at the chosen threshold, GAP"),
        ("ch06dig_gmp_chosen", "digits: GT-known localization at the chosen threshold, GMP"),
        ("ch06dig_cam_v2", "digits: MaxBoxAccV2, CAM"),
        ("ch06dig_fewshot_v2", "digits: MaxBoxAccV2, few-shot localizer"),
        ("ch06dig_cam_pxap", "digits: PxAP, CAM"),
        ("ch06dig_fewshot_pxap", "digits: PxAP, few-shot localizer"),
    ],
    "ch07_beyond_cam.ipynb": [
        ("ch07_gradcampp_v2", "MaxBoxAccV2, Grad-CAM++"),
        ("ch07_layercam_v2", "MaxBoxAccV2, LayerCAM"),
        ("ch07_flat_v2", "MaxBoxAccV2, flatten head"),
        ("ch07_sp_untied_acc", "spurious-background model on random backgrounds: accuracy"),
    ],
    "ch07_hide_and_seek.ipynb": [
        ("ch07_cam_part", "share of part boxes, CAM of the book's classifier"),
        ("ch07_triangles_contain", "triangles' boxes mostly outside: share that contain the triangle"),
        ("ch07_others_contain", "other classes' boxes mostly outside: share that contain the object"),
        ("ch07_plain_part", "share of part boxes, standard model"),
        ("ch07_has_part", "share of part boxes, Hide-and-Seek"),
        ("ch07_plain_v2", "MaxBoxAccV2, standard model"),
        ("ch07_has_v2", "MaxBoxAccV2, Hide-and-Seek"),
        ("ch07_plain_pxap", "PxAP, standard model"),
        ("ch07_has_pxap", "PxAP, Hide-and-Seek"),
        ("ch07_plain_acc", "accuracy, standard model"),
        ("ch07_has_acc", "accuracy, Hide-and-Seek"),
    ],
    "ch08_mil.ipynb": [
        ("ch08_mean_bag_auc", "bags of 6-14 digits, one 9: bag AUC, mean pooling"),
        ("ch08_max_bag_auc", "bags of 6-14 digits, one 9: bag AUC, max pooling"),
        ("ch08_lse_bag_auc", "bags of 6-14 digits, one 9: bag AUC, LSE pooling"),
        ("ch08_attention_bag_auc", "bags of 6-14 digits, one 9: bag AUC, attention pooling"),
        ("ch08_gated_attention_bag_auc", "bags of 6-14 digits, one 9: bag AUC, gated attention"),
        ("ch08_attention_instance_auc", "bags of 6-14 digits, one 9: instance AUC, attention model's scores"),
        ("ch08_half_attention_instance_auc", "half the digits 9s: instance AUC, attention model's scores"),
        ("ch08_half_attention_attention_auc", "half the digits 9s: instance AUC, attention weights"),
        ("ch08_gap_small", "bags of 3-5 digits: attention minus mean pooling, bag AUC"),
        ("ch08_gap_large", "bags of 6-14 digits: attention minus mean pooling, bag AUC"),
    ],
    "ch09_noisy_labels.ipynb": [
        ("ch09_peak_true", "memorization: corrupted images predicted as their true class, at the peak"),
        ("ch09_final_noisy", "memorization: corrupted images predicted as their noisy label, last epoch"),
        ("ch09_acc_0", "clean labels: test accuracy"),
        ("ch09_acc_40", "symmetric noise 40%: test accuracy, cross-entropy"),
        ("ch09_box_0", "clean labels: MaxBoxAccV2 of the true class's CAM"),
        ("ch09_box_40", "symmetric noise 40%: MaxBoxAccV2 of the true class's CAM"),
        ("ch09_symmetric_40_early", "symmetric noise 40%: early stopping"),
        ("ch09_symmetric_40_gce", "symmetric noise 40%: GCE"),
        ("ch09_symmetric_40_small_loss", "symmetric noise 40%: small-loss selection"),
        ("ch09_symmetric_60_cross_entropy", "symmetric noise 60%: cross-entropy, last epoch"),
        ("ch09_symmetric_60_small_loss", "symmetric noise 60%: small-loss selection"),
        ("ch09_class_40_early", "class-conditional noise 40%: early stopping"),
        ("ch09_class_40_gce", "class-conditional noise 40%: GCE"),
        ("ch09_class_40_small_loss", "class-conditional noise 40%: small-loss selection"),
        ("ch09_class_40_gce_gain", "class-conditional noise 40%: GCE minus early stopping (points)"),
        ("ch09_class_40_small_loss_gain", "class-conditional noise 40%: small-loss selection minus early stopping (points)"),
        ("ch09_forward_acc", "class-conditional noise 40%: forward correction, true matrix"),
    ],
}


# --------------------------------------------------------------------------- what decides the results

def code_text(source: str) -> str:
    """The code of a module as its syntax tree, without docstrings: comments, blank lines,
    spacing and formatting (black's parentheses and trailing commas included) leave it unchanged.

    ``ast.dump`` of the tree with every docstring removed and no positions, so that reformatting a
    notebook (``black``) or editing a comment or a docstring does not make the report stale,
    while any change to what the code does changes it.
    """
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
            and "remove-cell" not in c.get("metadata", {}).get("tags", [])]


def fingerprint(root: Path = ROOT) -> str:
    """SHA-256 of what decides the book's results: the code cells of the notebooks of _toc.yml
    (in order; the Colab install cell, tagged ``remove-cell``, left out) and the code of every
    wsl_lib module, both as :func:`code_text` (without docstrings, comments and spacing, so that
    editing those, or reformatting, does not make the report stale)."""
    h = hashlib.sha256()
    for path in toc_notebooks():
        h.update(f"notebook {path.name}\0".encode())
        for source in _code_cells(path):
            try:
                text = code_text(source)
            except (SyntaxError, tokenize.TokenError):      # IPython syntax: hash the cell as it is
                text = source
            h.update(text.encode() + b"\0")
    for path in sorted((root / "wsl_lib").glob("*.py")):
        h.update(f"module {path.name}\0{code_text(path.read_text())}\0".encode())
    return h.hexdigest()


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


# --------------------------------------------------------------------------- reading outputs

def _sanitizers() -> list[tuple[re.Pattern, str]]:
    lines = (ROOT / "tests" / "sanitize.cfg").read_text().splitlines()
    pairs, pattern = [], None
    for line in lines:
        if line.startswith("regex: "):
            pattern = re.compile(line[len("regex: "):])
        elif line.startswith("replace: ") and pattern is not None:
            pairs.append((pattern, line[len("replace: "):]))
            pattern = None
    return pairs


def _sanitize(text: str, pairs) -> str:
    for pattern, replacement in pairs:
        text = pattern.sub(replacement, text)
    return text


def _is_claim_line(line: str) -> bool:
    return line.startswith(CLAIM_PREFIX) or line.startswith(FAILED_PREFIX)


def _text(out: dict) -> str:
    return "".join(out["text"]) if isinstance(out["text"], list) else out["text"]


def compared_text(cell: dict, pairs, claim_lines: bool = False) -> list[str]:
    """The text of a cell's outputs as nbval compares it: stream text (without claim lines, which
    the robustness run counts as claims, unless ``claim_lines``), and every MIME type of results
    and displays but images and glue records."""
    texts, outputs = [], []
    for out in cell.get("outputs", []):            # consecutive stream outputs are one, as in nbval
        if out.get("output_type") == "stream" and outputs and outputs[-1].get("output_type") == "stream" \
                and outputs[-1]["name"] == out["name"]:
            outputs[-1] = dict(outputs[-1], text=_text(outputs[-1]) + _text(out))
        else:
            outputs.append(out)
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            kept = [ln for ln in _text(out).splitlines() if claim_lines or not _is_claim_line(ln)]
            if kept:
                texts.append(f"{out['name']}: " + _sanitize("\n".join(kept), pairs))
        elif kind in ("execute_result", "display_data"):
            for mime, value in sorted(out.get("data", {}).items()):
                if mime.startswith("image/") or mime.startswith("application/papermill.record/"):
                    continue
                value = "".join(value) if isinstance(value, list) else value
                texts.append(f"{mime}: " + _sanitize(str(value), pairs))
        elif kind == "error":
            texts.append(f"error: {out.get('ename')}: {out.get('evalue')}")
    return texts


def _record_text(out: dict) -> str | None:
    name = out.get("metadata", {}).get("scrapbook", {}).get("name", "")
    text = out.get("data", {}).get("application/papermill.record/text/plain")
    if name.startswith(RECORD_KEY) and text is not None:
        return "".join(text) if isinstance(text, list) else text
    return None


def claims_of(cells: list[dict]) -> tuple[list[dict], int]:
    """The claims of these cells, in order, from the hidden records of ``wsl_lib.claims.claim``
    (``{"statement", "held", "parts": [{"value", "bound", "sense", "unit"}, ...]}``), and the number
    of checks (the ``= checked:`` lines). An exercise checker's ✓ lines leave no record, so they are
    not counted as findings. A record that cannot be read is an error naming the claim."""
    found, checks = [], 0
    for cell in cells:
        for out in cell.get("outputs", []):
            text = _record_text(out)
            if text is not None:
                try:
                    record = json.loads(text)
                    parts = [{"value": float(p["value"]), "bound": float(p["bound"]), "sense": p["sense"],
                              "unit": p["unit"]} for p in record["parts"]]
                    found.append({"statement": str(record["statement"]), "held": bool(record["held"]),
                                  "parts": parts})
                except (ValueError, KeyError, TypeError) as error:
                    raise ValueError(f"claim record {text[:200]!r}: expected statement, held and parts "
                                     f"with numbers, got an error: {error}") from None
            elif out.get("output_type") == "stream":
                checks += sum(line.startswith(CHECK_PREFIX) for line in _text(out).splitlines())
    return found, checks


def glue_of(cells: list[dict]) -> dict:
    """Every glued value's text, by key."""
    values = {}
    for cell in cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = out.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None and not name.startswith(RECORD_KEY):
                values[name] = "".join(text) if isinstance(text, list) else text
    return values


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def compare(stored: dict, ran: dict, pairs, claim_lines: bool = False) -> list[dict]:
    """The cells whose compared text differs between the stored notebook and a run (claim lines
    compared too with ``claim_lines``, as nbval does: the test command's comparison)."""
    diffs = []
    for i, (a, b) in enumerate(zip(code_cells(stored), code_cells(ran))):
        if SKIP_TAGS & set(a.get("metadata", {}).get("tags", [])):
            continue
        expected, got = compared_text(a, pairs, claim_lines), compared_text(b, pairs, claim_lines)
        if expected != got:
            diffs.append({"cell": i, "source": "".join(a["source"])[:200], "expected": expected, "got": got})
    return diffs


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
    """The runs, the slowest first (older CPU code paths are several times slower), so that the
    others fill the remaining slots while it runs. Each run says its kind: ``exploration``,
    ``confirmation`` or ``code path``."""
    check_seed_sets(seeds, confirmation)
    runs = [{"name": f"seed {s}", "seed": s, "env": {}, "kind": "exploration"} for s in seeds]
    runs += [{"name": f"seed {s} (confirmation)", "seed": s, "env": {}, "kind": "confirmation"} for s in confirmation]
    if isa:
        runs.insert(0, {"name": "seed 0, older CPU code paths", "seed": 0, "env": dict(ISA_ENV), "kind": "code path"})
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
            cmd = [sys.executable, __file__, "--worker", run["name"], "--result", str(result),
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


# --------------------------------------------------------------------------- the page's tables

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def number(text: str | None) -> float | None:
    """The first number in a glued value's text ('58.1%' -> 58.1), or None."""
    if text is None:
        return None
    match = _NUMBER.search(text.strip("'\""))
    return float(match.group()) if match else None


def _fmt(x: float, digits: int) -> str:
    return f"{x:.{digits}f}"


def run_kind(run: dict) -> str:
    """``exploration``, ``confirmation`` or ``code path`` (reports older than the kinds: by env)."""
    return run.get("kind") or ("code path" if run["env"] else "exploration")


def _t_interval(values: list[float]) -> tuple[float, float]:
    """The 95% t-interval of the mean of ``values`` (independent seeds)."""
    from scipy import stats
    n = len(values)
    mean = statistics.mean(values)
    half = stats.t.ppf(0.975, n - 1) * statistics.stdev(values) / n ** 0.5
    return mean - half, mean + half


def claim_rows(report: dict, nb: str) -> list[dict]:
    """Per claim of notebook ``nb`` (in the stored book's order): how many runs of each kind it held
    in, and for each part (a comparison with a bound) its worst margin over all runs, the mean,
    standard deviation and 95% t-interval of its quantity over the seeds, and whether it is
    fragile (worst margin < ``FRAGILE_SD_FRACTION`` x sd). The part with the least room relative
    to its spread is the claim's ``critical`` part."""
    runs = report["runs"]
    stored = runs["seed 0 (stored)"]["notebooks"][nb]["claims"]
    rows = []
    for i, claim in enumerate(stored):
        entries = {}
        for name, run in runs.items():
            found = run["notebooks"][nb]["claims"]
            if i < len(found) and found[i]["statement"] == claim["statement"]:
                entries[name] = found[i]
        held = {kind: [entries[n]["held"] for n in entries if run_kind(runs[n]) == kind]
                for kind in ("exploration", "confirmation", "code path")}
        parts = []
        for j, part in enumerate(claim["parts"]):
            margins = [e["parts"][j]["value"] - e["parts"][j]["bound"] if part["sense"] == ">"
                       else e["parts"][j]["bound"] - e["parts"][j]["value"] for e in entries.values()]
            seeds = [entries[n]["parts"][j]["value"] for n in entries if run_kind(runs[n]) != "code path"]
            sd = statistics.stdev(seeds) if len(seeds) >= 2 else float("nan")
            interval = _t_interval(seeds) if len(seeds) >= 2 else (float("nan"), float("nan"))
            worst = min(margins)
            fragile = worst <= 0 or (sd > 0 and worst < FRAGILE_SD_FRACTION * sd)
            parts.append({"unit": part["unit"], "sense": part["sense"], "bound": part["bound"], "worst": worst,
                          "mean": statistics.mean(seeds), "sd": sd, "interval": interval, "fragile": fragile,
                          "room": worst / sd if sd > 0 else (float("inf") if worst > 0 else float("-inf"))})
        critical = min(parts, key=lambda q: q["room"]) if parts else None
        rows.append({"statement": claim["statement"], "held": held, "runs": len(entries), "parts": parts,
                     "critical": critical, "fragile": any(q["fragile"] for q in parts)})
    return rows


def _in_unit(x: float, unit: str, signed: bool = False) -> str:
    sign = "+" if signed else ""
    if unit == "points":
        return f"{100 * x:{sign}.1f} pt"
    if unit == "AUC":
        return f"{x:{sign}.3f} AUC"
    if unit == "x":
        return f"{x:{sign}.2f}×"
    return f"{x:{sign}.3g}"


def _held_cell(held: dict) -> str:
    cells = []
    for kind, label in (("exploration", "expl."), ("confirmation", "conf."), ("code path", "older CPU")):
        values = held[kind]
        if values:
            cells.append(f"{label} {sum(values)}/{len(values)}")
    return " · ".join(cells)


def seed_summary(report: dict) -> str:
    """One honest count of the runs: seeds by kind, and the other code path."""
    runs = report["runs"].values()
    exploration = sorted({r["seed"] for r in runs if run_kind(r) == "exploration"})
    confirmation = sorted({r["seed"] for r in runs if run_kind(r) == "confirmation"})
    paths = sum(run_kind(r) == "code path" for r in runs)
    text = (f"{len(exploration) + len(confirmation)} seeds ({len(exploration)} exploration seeds, "
            f"{', '.join(map(str, exploration))}"
            + (f"; {len(confirmation)} confirmation seeds, {', '.join(map(str, confirmation))}" if confirmation else "")
            + ")")
    if paths:
        text += f" and {'one' if paths == 1 else paths} older CPU code path{'s' if paths > 1 else ''} (seed 0)"
    return text


def write_tables(report: dict, path: Path) -> None:
    runs = report["runs"]
    names = list(runs)
    seed_runs = [n for n in names if run_kind(runs[n]) != "code path"]
    threads = sorted({runs[n]["threads"] for n in names if runs[n]["threads"]})
    machine = re.sub(r", [^,]* threads", "", report["machine"])
    history = report.get("history", {})
    lines = [f"Runs: {seed_summary(report)}. Seed 0 is the stored book; the others ran "
             f"in {report['minutes']:.0f} min, {' or '.join(map(str, threads))} thread(s) each, on {machine}.", ""]
    stored = runs["seed 0 (stored)"]["notebooks"]
    for nb in report["notebooks"]:
        title = report["titles"].get(nb, nb)
        lines += [f"### {title}", ""]
        heads = HEADLINES.get(nb, [])
        if heads:
            lines += ["| headline number | seed 0 | all seeds: range | mean ± sd | older CPU |",
                      "| --- | ---: | ---: | ---: | ---: |"]
            for key, label in heads:
                values = [number(runs[n]["notebooks"][nb]["glue"].get(key)) for n in seed_runs]
                values = [v for v in values if v is not None]
                isa = [number(runs[n]["notebooks"][nb]["glue"].get(key)) for n in names
                       if run_kind(runs[n]) == "code path"]
                zero = stored[nb]["glue"].get(key, "—").strip("'")
                digits = 2 if values and max(abs(v) for v in values) < 1 else 1   # thresholds, or percentages
                if len(values) >= 2:
                    spread = f"{_fmt(min(values), digits)} – {_fmt(max(values), digits)}"
                    mean = f"{_fmt(statistics.mean(values), digits)} ± {_fmt(statistics.stdev(values), digits)}"
                else:
                    spread = mean = "—"
                lines.append(f"| {label} | {zero} | {spread} | {mean} | "
                             f"{'—' if not isa or isa[0] is None else _fmt(isa[0], digits)} |")
            lines.append("")
        rows = claim_rows(report, nb)
        if rows:
            lines += ["| finding (a claim) | held in runs | worst margin | mean, 95% interval | stated since |",
                      "| --- | --- | ---: | ---: | --- |"]
            for row in rows:
                part = row["critical"]
                if part is None:
                    worst = interval = "— (no bound)"
                else:
                    worst = _in_unit(part["worst"], part["unit"], signed=True) + (" **fragile**" if row["fragile"] else "")
                    low, high = part["interval"]
                    interval = (f"{_in_unit(part['mean'], part['unit'])} [{_in_unit(low, part['unit'])}, "
                                f"{_in_unit(high, part['unit'])}]" if low == low else "—")
                since = history.get(nb, {}).get(row["statement"], {})
                when = since.get("since", "—") + (", once failed a confirmation seed"
                                                  if since.get("failed_confirmation") else "")
                lines.append(f"| {row['statement'].replace('|', '&#124;')} | {_held_cell(row['held'])} | {worst} | "
                             f"{interval} | {when} |")
            lines.append("")
        checks = stored[nb]["checks"]
        lines += [f"Checks (what holds by construction) in this chapter: {checks}.", ""]
    path.write_text("\n".join(lines))


def claim_history(previous: dict | None, report: dict, today: str, previous_date: str | None) -> dict:
    """Per notebook and claim: the date the claim was first stated as it is now, and whether it ever
    failed a confirmation seed. Carried from the previous report; a claim it did not hold (a new or
    restated sentence) is stated since ``today``; for a previous report without a history, claims it
    held are dated ``previous_date`` (the date that report was committed)."""
    before = (previous or {}).get("history", {})
    known = {nb: {c["statement"] if isinstance(c, dict) else c[0]
                  for c in previous["runs"]["seed 0 (stored)"]["notebooks"].get(nb, {}).get("claims", [])}
             for nb in (previous or {}).get("notebooks", [])} if previous else {}
    history = {}
    for nb in report["notebooks"]:
        history[nb] = {}
        for row in claim_rows(report, nb):
            old = before.get(nb, {}).get(row["statement"])
            if old is None:
                since = previous_date if (row["statement"] in known.get(nb, set()) and previous_date) else today
                old = {"since": since, "failed_confirmation": False}
            failed_now = not all(row["held"]["confirmation"])
            history[nb][row["statement"]] = {"since": old["since"],
                                             "failed_confirmation": old["failed_confirmation"] or failed_now}
    return history


def write_budget_figure(report: dict, path: Path) -> None:
    """Chapter 1's budget comparison with its spread: every run's accuracy at each measured budget.

    One marker per run (small, side by side), the seed-0 value larger and outlined, and a bar
    from the lowest to the highest run; colour-blind-safe colours and one marker shape per arm.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = "ch01_weak_supervision.ipynb"
    runs = [r for r in report["runs"].values() if nb in r["notebooks"]]
    if not runs:
        return
    colours = ["#0072B2", "#E69F00", "#009E73"]
    fig, ax = plt.subplots(figsize=(6.4, 3.8), dpi=150)
    for a, ((prefix, label, marker), colour) in enumerate(zip(BUDGET_ARMS, colours)):
        for suffix, hours in BUDGET_POINTS:
            values = [number(r["notebooks"][nb]["glue"].get(f"{prefix}_{suffix}")) for r in runs]
            values = [v / 100 for v in values if v is not None]
            if not values:
                continue
            x = hours * (1 + 0.12 * (a - 1))                           # arms side by side on the log axis
            ax.vlines(x, min(values), max(values), color=colour, linewidth=2)
            ax.plot([x] * len(values), values, marker, color=colour, markersize=4, alpha=0.7, linestyle="none")
            zero = number(report["runs"]["seed 0 (stored)"]["notebooks"][nb]["glue"].get(f"{prefix}_{suffix}"))
            if zero is not None:
                ax.plot([x], [zero / 100], marker, color=colour, markersize=9, markeredgecolor="black",
                        linestyle="none", label=label if suffix == "small" else None)
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks([h for _, h in BUDGET_POINTS], ["20 min", "1 h"])
    ax.set_xlim(0.22, 1.6)
    ax.set_ylim(0, 1)
    ax.set_xlabel("annotation time of the training labels (log scale)")
    ax.set_ylabel("localization accuracy (IoU ≥ 0.5)")
    ax.legend(fontsize=9, loc="lower right")
    seeds = sum(run_kind(r) != "code path" for r in runs)
    paths = len(runs) - seeds
    ax.set_title(f"{seeds} seeds" + (f" and {paths} older CPU code path{'s' if paths > 1 else ''}" if paths else ""),
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


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
