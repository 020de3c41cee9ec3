"""The robustness report: recent, complete, and every finding held in every run.

``make robustness`` (scripts/robustness.py) runs the book under other seeds and CPU code
paths and writes ``book/_data/robustness.json``. These tests fail when the report

* is stale: the fingerprint of what decides the results (the notebooks' code cells and
  wsl_lib's code, docstrings and comments left out) differs from the one it was made from;
* records a finding (a claim) that failed in any run;
* records a text output (glue records left out, as in nbval) that differed in any run;
* misses a notebook, a seed, the run on older CPU code paths, or no longer matches the
  stored notebooks and the tables the page shows.

So no finding that depends on the seed, and no learned number in compared text, can land.
"""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from book_files import ROOT, toc_notebooks

sys.path.insert(0, str(ROOT / "scripts"))
import robustness  # noqa: E402

MIN_SEEDS = 5


@pytest.fixture(scope="module")
def report():
    assert robustness.REPORT.exists(), "no robustness report: run `make robustness`"
    return json.loads(robustness.REPORT.read_text())


def test_the_report_is_not_stale(report):
    assert report["fingerprint"] == robustness.fingerprint(), (
        "the notebooks' code or wsl_lib's code changed since `make robustness` last ran: run it again")


def test_the_report_covers_every_notebook_seed_and_code_path(report):
    assert report["notebooks"] == [p.name for p in toc_notebooks()]
    runs = report["runs"]
    seeds = {r["seed"] for r in runs.values() if not r["env"]} - {0}
    assert len(seeds) >= MIN_SEEDS, f"expected at least {MIN_SEEDS} seeds besides 0, got {sorted(seeds)}"
    isa = [r for r in runs.values() if r["env"]]
    assert isa and isa[0]["seed"] == 0 and isa[0]["env"] == robustness.ISA_ENV
    for name, run in runs.items():
        assert list(run["notebooks"]) == report["notebooks"], f"{name}: not every notebook ran"
        for nb, entry in run["notebooks"].items():
            assert entry["status"] == "ok", f"{name}: {nb} crashed"


def test_every_finding_held_in_every_run(report):
    failed = [f"[{name}] {nb}: {statement}" for name, run in report["runs"].items()
              for nb, entry in run["notebooks"].items() for statement, held in entry["claims"] if not held]
    assert not failed, "findings that did not hold in every run:\n" + "\n".join(failed)


def test_every_run_checked_the_same_findings(report):
    stored = report["runs"]["seed 0 (stored)"]["notebooks"]
    for name, run in report["runs"].items():
        for nb, entry in run["notebooks"].items():
            assert [s for s, _ in entry["claims"]] == [s for s, _ in stored[nb]["claims"]], (
                f"[{name}] {nb}: another list of findings than the stored book's")


def test_no_text_output_differed_in_any_run(report):
    differing = [f"[{name}] {nb}, code cell {d['cell']}:\n  stored: {d['expected']}\n  run:    {d['got']}"
                 for name, run in report["runs"].items() for nb, entry in run["notebooks"].items()
                 for d in entry["diffs"]]
    assert not differing, "text outputs that depend on the seed or the machine:\n" + "\n".join(differing)


def test_the_report_matches_the_stored_notebooks(report):
    stored = robustness.stored_seed0(toc_notebooks())
    for nb, entry in stored.items():
        recorded = report["runs"]["seed 0 (stored)"]["notebooks"][nb]
        assert entry["claims"] == recorded["claims"] and entry["checks"] == recorded["checks"], (
            f"{nb}: its claims or checks changed since `make robustness` last ran")


def test_the_page_shows_this_report(report, tmp_path):
    robustness.write_tables(report, tmp_path / "tables.md")
    assert (tmp_path / "tables.md").read_text() == robustness.TABLES.read_text(), (
        "book/_data/robustness.md is not the tables of book/_data/robustness.json: run `make robustness`")
    page = (ROOT / "book" / "robustness.md").read_text()
    assert "_data/robustness.md" in page


def test_chapter_1_shows_the_budget_spread_of_this_report(report, tmp_path):
    robustness.write_budget_figure(report, tmp_path / "spread.png")
    assert robustness.BUDGET_FIGURE.exists(), "run `make robustness` (or scripts/robustness.py --tables)"
    # the stored figure is the one this report draws (matplotlib's PNG output is deterministic)
    assert (tmp_path / "spread.png").read_bytes() == robustness.BUDGET_FIGURE.read_bytes(), (
        "book/_data/ch01_budget_spread.png is not drawn from book/_data/robustness.json: run "
        "scripts/robustness.py --tables")
    chapter = (ROOT / "book" / "ch01_weak_supervision.ipynb").read_text()
    assert "_data/ch01_budget_spread.png" in chapter


def test_every_headline_number_is_glued_in_its_chapter(report):
    stored = report["runs"]["seed 0 (stored)"]["notebooks"]
    missing = [f"{nb}: {key}" for nb, heads in robustness.HEADLINES.items() for key, _ in heads
               if key not in stored[nb]["glue"]]
    assert not missing, f"headline numbers that no chapter glues: {missing}"


def test_the_fingerprint_ignores_docstrings_and_comments_but_not_code(tmp_path):
    lib = tmp_path / "wsl_lib"
    shutil.copytree(ROOT / "wsl_lib", lib)
    before = robustness.fingerprint(tmp_path)
    module = lib / "metrics.py"
    text = module.read_text()
    module.write_text('"""Another module docstring."""\n# a comment\n' + text.split('"""', 2)[2])
    assert robustness.fingerprint(tmp_path) == before
    module.write_text(text + "\nEXTRA = 1\n")
    assert robustness.fingerprint(tmp_path) != before


def test_code_text_keeps_code_and_drops_docstrings_comments_and_spacing():
    source = 'def f(x):\n    """Doc."""\n    return x + 1  # one more\n'
    assert robustness.code_text(source) == robustness.code_text('def f(x):\n    """Other doc."""\n\n    return x+1\n')
    assert robustness.code_text(source) != robustness.code_text(source.replace("x + 1", "x + 2"))
    assert robustness.code_text(source) != robustness.code_text(source.replace("    return", "    if x:\n        return"))


def test_split_stream_outputs_compare_as_one_as_in_nbval():
    pairs = robustness._sanitizers()
    stored = {"outputs": [{"output_type": "stream", "name": "stdout", "text": "= checked: a\n= checked: b\n"}]}
    ran = {"outputs": [{"output_type": "stream", "name": "stdout", "text": "= checked: a\n"},
                       {"output_type": "stream", "name": "stdout", "text": "\u2713 a finding\n"},
                       {"output_type": "stream", "name": "stdout", "text": "= checked: b\n"}]}
    assert robustness.compared_text(stored, pairs) == robustness.compared_text(ran, pairs)
    ran["outputs"][2]["text"] = "= checked: c\n"
    assert robustness.compared_text(stored, pairs) != robustness.compared_text(ran, pairs)


def test_only_the_lines_of_claim_calls_count_as_findings():
    cells = [{"source": 'claim(a > b, f"{name} beats the rest")\nwsl.exercises.check_x(y)\ncheck(True, "1 == 1")',
              "outputs": [{"output_type": "stream", "name": "stdout",
                           "text": "\u2713 CAM beats the rest\n\u2713 your answer is right\n= checked: 1 == 1\n"
                                   "\u2717 did not hold in this run: LayerCAM beats the rest (measured: a = 1). "
                                   "The book states it ...\n"}]}]
    assert robustness.claims_of(cells) == ([["CAM beats the rest", True], ["LayerCAM beats the rest", False]], 1)
