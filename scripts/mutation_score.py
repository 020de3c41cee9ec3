"""Report the mutation score of `make mutation` and check its survivors against the reviewed list.

    python scripts/mutation_score.py      # after `mutmut run` (``make mutation`` runs both)

mutmut changes one token of wsl_lib's cam, gradcam, boxes, localize and metrics modules at a
time (a ``>=`` into ``>``, a constant into another, an argument dropped) and runs their fast unit
tests against each change, the *mutant*; a mutant that no test notices *survived*. This script
prints the score (killed / all mutants) and compares the survivors with
``tests/mutation_survivors.txt``, where each survivor judged *equivalent* (no input can tell it
apart from the original, on a CPU) is listed with the reason. It exits 1 when a survivor is not
in that list (a test is missing, or the list is stale) or the score is below 90%.

Mutant names (``wsl_lib.metrics.x_iou_curve__mutmut_23``) number the mutants of a function in
order, so editing a function renumbers its mutants: review its survivors again then.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REVIEWED = ROOT / "tests" / "mutation_survivors.txt"
GOAL = 0.90


def mutmut(*args: str) -> str:
    mutmut_bin = Path(sys.executable).parent / "mutmut"
    return subprocess.run([str(mutmut_bin), *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def reviewed_survivors() -> dict[str, str]:
    """``{mutant name: reason}`` from the reviewed list (``name  reason`` per line, ``#`` comments)."""
    out = {}
    for line in REVIEWED.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            out[name] = reason.strip()
    return out


def main() -> int:
    mutmut("export-cicd-stats")
    stats = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    not_killed = {}
    for line in mutmut("results").splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            not_killed[name] = status
    score = stats["killed"] / stats["total"]
    print(f"mutants: {stats['total']}, killed: {stats['killed']} ({score:.1%}), "
          + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in stats.items()
                      if k not in ("killed", "total") and isinstance(v, int) and v))
    reviewed = reviewed_survivors()
    unexplained = sorted(set(not_killed) - set(reviewed))
    stale = sorted(set(reviewed) - set(not_killed))
    print(f"survivors judged equivalent (tests/mutation_survivors.txt): {len(set(reviewed) & set(not_killed))}")
    for name in unexplained:
        print(f"NOT REVIEWED ({not_killed[name]}): {name}  (mutmut show {name})")
    for name in stale:
        print(f"listed but killed now (remove it from the list): {name}")
    ok = score >= GOAL and not unexplained
    print("OK" if ok else f"FAILED: the goal is {GOAL:.0%} killed and every survivor reviewed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
