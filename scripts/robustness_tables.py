"""The robustness report's page: the tables of ``book/_data/robustness.md`` (per chapter its headline
numbers, from ``book/_data/headlines.toml``, and per claim how it held and its margins), each
claim's history, and chapter 1's budget spread figure, all drawn from the report.
"""

from __future__ import annotations

import re
import statistics
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "book" / "_data" / "robustness.md"
BUDGET_FIGURE = ROOT / "book" / "_data" / "ch01_budget_spread.png"      # shown in chapter 1
HEADLINES_FILE = ROOT / "book" / "_data" / "headlines.toml"              # the chapters' authors edit it
# chapter 1's budget comparison: (glue key prefix, label, marker) and (glue key suffix, hours)
BUDGET_ARMS = [("ch01_weak", "class labels", "o"), ("ch01_extreme", "boxes, extreme clicking", "s"),
               ("ch01_classic", "boxes, classic", "D")]
BUDGET_POINTS = [("small", 1 / 3), ("medium", 1.0)]
FRAGILE_SD_FRACTION = 0.25                # fragile: worst margin < this x the quantity's sd over seeds


def load_headlines(path: Path = HEADLINES_FILE) -> dict[str, list[tuple[str, str]]]:
    """The headline numbers of each chapter, by notebook: ``[(glue key, what it is), ...]`` in the
    file's order. The page gives each one's value for seed 0 and its spread over the runs."""
    tables = tomllib.loads(path.read_text())
    for nb, heads in tables.items():
        if not isinstance(heads, dict) or not all(isinstance(v, str) for v in heads.values()):
            raise ValueError(f"{path.name}: [{nb}]: expected lines glue_key = \"what it is\", got {heads!r}")
    return {nb: list(heads.items()) for nb, heads in tables.items()}


HEADLINES = load_headlines()


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
