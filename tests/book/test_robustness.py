"""The robustness report: recent, complete, and every finding held in every run.

``make robustness`` (scripts/robustness.py) runs the book under other seeds and CPU code
paths and writes ``book/_data/robustness.json``. These tests fail when the report

* is stale: the fingerprint of what decides the results (the notebooks' code cells and
  wsl_lib's code, docstrings and comments left out) differs from the one it was made from;
* records a finding (a claim) that failed in any run, exploration or confirmation;
* has confirmation seeds other than those the fingerprint draws, or too few of them;
* holds a fragile claim (its worst margin smaller than a quarter of its quantity's spread);
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
    seeds = {r["seed"] for r in runs.values() if robustness.run_kind(r) == "exploration"} - {0}
    assert len(seeds) >= MIN_SEEDS, f"expected at least {MIN_SEEDS} exploration seeds besides 0, got {sorted(seeds)}"
    isa = [r for r in runs.values() if r["env"]]
    assert isa and isa[0]["seed"] == 0 and isa[0]["env"] in robustness.OLDER_ISA_ENVS
    for name, run in runs.items():
        assert list(run["notebooks"]) == report["notebooks"], f"{name}: not every notebook ran"
        for nb, entry in run["notebooks"].items():
            assert entry["status"] == "ok", f"{name}: {nb} crashed"


def test_the_confirmation_seeds_are_the_fingerprints_own(report):
    conf = report["confirmation"]
    assert len(conf["seeds"]) >= robustness.CONFIRMATION_COUNT
    assert conf["seeds"] == robustness.confirmation_seeds(report["fingerprint"], len(conf["seeds"]),
                                                          exclude=conf["earlier"]), (
        "the confirmation seeds are not the ones the fingerprint draws: nobody may choose them")
    ran = sorted(r["seed"] for r in report["runs"].values() if robustness.run_kind(r) == "confirmation")
    assert ran == sorted(conf["seeds"])
    exploration = {r["seed"] for r in report["runs"].values() if robustness.run_kind(r) == "exploration"}
    assert not exploration & set(conf["seeds"]) and not set(conf["earlier"]) & set(conf["seeds"])


def test_confirmation_seeds_are_drawn_from_the_fingerprint_and_never_reused():
    a = robustness.confirmation_seeds("a" * 64, 3)
    assert a == robustness.confirmation_seeds("a" * 64, 3) and len(set(a)) == 3
    assert robustness.confirmation_seeds("b" * 64, 3) != a
    assert not set(a) & {0, *robustness.DEFAULT_SEEDS}
    assert not set(robustness.confirmation_seeds("a" * 64, 3, exclude=a)) & set(a)
    with pytest.raises(ValueError, match=r"confirmation seeds: expected seeds that no exploration run used, got \[3\]"):
        robustness.planned_runs([1, 2, 3], True, confirmation=[3, 50])
    with pytest.raises(ValueError, match="confirmation seeds: .* got \\[0\\]"):
        robustness.check_seed_sets([1, 2], [0])
    with pytest.raises(ValueError, match="count: expected a non-negative integer"):
        robustness.confirmation_seeds("a" * 64, -1)


def test_every_finding_held_in_every_run(report):
    failed = [f"[{name}] {nb}: {c['statement']}" for name, run in report["runs"].items()
              for nb, entry in run["notebooks"].items() for c in entry["claims"] if not c["held"]]
    assert not failed, "findings that did not hold in every run:\n" + "\n".join(failed)


def test_no_claim_is_fragile(report):
    fragile = [f"{nb}: {row['statement']} (worst margin {row['critical']['worst']:.4g}, sd {row['critical']['sd']:.4g})"
               for nb in report["notebooks"] for row in robustness.claim_rows(report, nb) if row["fragile"]]
    assert not fragile, ("claims whose worst margin is less than a quarter of their quantity's spread over seeds: "
                         "strengthen the experiment or state less:\n" + "\n".join(fragile))


# a sentence that states a bound must record it (above/below), so that its margin is on the page
BOUND_WORDS = ("more than", "less than", "fewer than", "at least", "within", "at most", "above", "below", "twice")


def test_every_comparison_records_its_bound(report):
    unbounded = [f"{nb}: {c['statement']}" for nb, entry in report["runs"]["seed 0 (stored)"]["notebooks"].items()
                 for c in entry["claims"] if not c["parts"] and any(w in c["statement"] for w in BOUND_WORDS)]
    assert not unbounded, "claims that state a bound but record none (write them with above/below):\n" + "\n".join(unbounded)


def test_every_run_checked_the_same_findings(report):
    stored = report["runs"]["seed 0 (stored)"]["notebooks"]
    for name, run in report["runs"].items():
        for nb, entry in run["notebooks"].items():
            assert [c["statement"] for c in entry["claims"]] == [c["statement"] for c in stored[nb]["claims"]], (
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


def test_the_headlines_file_names_glue_keys_of_the_books_notebooks_as_the_page_shows_them():
    headlines = robustness.load_headlines()
    assert headlines == robustness.HEADLINES
    notebooks = {p.name for p in toc_notebooks()}
    assert set(headlines) <= notebooks, f"not notebooks of the book: {sorted(set(headlines) - notebooks)}"
    assert all(heads and all(isinstance(k, str) and isinstance(v, str) for k, v in heads)
               for heads in headlines.values())
    # the page's tables list these labels, notebook by notebook, in this order
    shown, nb = {}, None
    titles = json.loads(robustness.REPORT.read_text())["titles"]
    by_title = {title: name for name, title in titles.items()}
    for line in robustness.TABLES.read_text().splitlines():
        if line.startswith("### "):
            nb = by_title.get(line[4:])
        elif nb and line.startswith("| ") and not line.startswith(("| headline", "| finding", "| ---")):
            shown.setdefault(nb, []).append(line[2:].split(" | ")[0])
    assert {n: [label for _, label in heads] for n, heads in headlines.items()} == {
        n: labels[:len(headlines.get(n, []))] for n, labels in shown.items() if n in headlines}


def test_a_bad_headlines_file_is_an_error_naming_the_notebook(tmp_path):
    path = tmp_path / "headlines.toml"
    path.write_text('["x.ipynb"]\nx_acc = 3\n')
    with pytest.raises(ValueError, match=r"headlines.toml: \[x.ipynb\]: expected lines glue_key = \"what it is\""):
        robustness.load_headlines(path)


def test_the_older_code_path_is_avx2_on_an_avx512_cpu_and_sse41_otherwise(monkeypatch):
    import robustness_run
    avx2 = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}
    sse41 = {"ONEDNN_MAX_CPU_ISA": "SSE41", "ATEN_CPU_CAPABILITY": "default"}
    for capability, expected in (("AVX512", avx2), ("AVX2", sse41), ("DEFAULT", sse41)):
        monkeypatch.setattr(robustness_run, "cpu_capability", lambda: capability)
        assert robustness.older_isa_env() == expected, capability
        [run] = robustness.planned_runs([], True)
        assert run["env"] == expected and run["kind"] == "code path" and run["seed"] == 0
    assert robustness.older_isa_env("AVX512") == avx2 and robustness.older_isa_env("AVX2") == sse41
    assert robustness.cpu_capability() in {"AVX512", "AVX2", "DEFAULT", "ZVECTOR", "SVE256", "NO AVX"}
    assert robustness.OLDER_ISA_ENVS == (avx2, sse41)


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


def _record(statement, held, parts):
    return {"output_type": "display_data", "metadata": {"scrapbook": {"name": f"wsl-claim-{len(statement)}"}},
            "data": {"application/papermill.record/text/plain": json.dumps(
                {"statement": statement, "held": held, "parts": parts})}}


def test_only_the_records_of_claim_calls_count_as_findings():
    part = {"value": 0.3, "bound": 0.1, "sense": ">", "unit": "points"}
    cells = [{"source": "", "outputs": [
        {"output_type": "stream", "name": "stdout",
         "text": "\u2713 CAM beats the rest\nexercise passed: your answer is right\n= checked: 1 == 1\n"},
        _record("CAM beats the rest", True, [part]),
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": "ch01_acc"}},
         "data": {"application/papermill.record/text/plain": "'58.1%'"}},
        _record("LayerCAM is best", False, [])]}]
    claims, checks = robustness.claims_of(cells)
    assert checks == 1
    assert claims == [{"statement": "CAM beats the rest", "held": True, "parts": [part]},
                      {"statement": "LayerCAM is best", "held": False, "parts": []}]
    assert robustness.glue_of(cells) == {"ch01_acc": "'58.1%'"}        # records are not glued numbers
    broken = [{"source": "", "outputs": [_record("x", True, [{"value": "nan?", "bound": 0.1}])]}]
    with pytest.raises(ValueError, match="claim record .*x"):
        robustness.claims_of(broken)


def test_claim_rows_give_margins_intervals_and_fragility():
    def run(kind, seed, value, env=None):
        claims = [{"statement": "A beats B by more than 10 points", "held": value > 0.1,
                   "parts": [{"value": value, "bound": 0.1, "sense": ">", "unit": "points"}]}]
        return {"seed": seed, "env": env or {}, "kind": kind, "threads": 1,
                "notebooks": {"x.ipynb": {"claims": claims, "checks": 0, "glue": {}, "diffs": []}}}
    values = [0.30, 0.28, 0.32, 0.31, 0.29, 0.30]
    runs = {"seed 0 (stored)": run("exploration", 0, values[0])}
    runs.update({f"seed {i}": run("exploration", i, v) for i, v in enumerate(values[1:], 1)})
    runs["seed 77 (confirmation)"] = run("confirmation", 77, 0.27)
    runs["older"] = run("code path", 0, 0.30, env={"X": "1"})
    report = {"runs": runs, "notebooks": ["x.ipynb"]}
    [row] = robustness.claim_rows(report, "x.ipynb")
    assert row["held"] == {"exploration": [True] * 6, "confirmation": [True], "code path": [True]}
    part = row["critical"]
    assert part["worst"] == pytest.approx(0.27 - 0.1)
    assert part["mean"] == pytest.approx(sum(values + [0.27]) / 7)
    low, high = part["interval"]
    assert low < part["mean"] < high and not row["fragile"]
    runs["seed 77 (confirmation)"] = run("confirmation", 77, 0.105)      # 0.5 points to spare, sd of 6 points
    assert robustness.claim_rows(report, "x.ipynb")[0]["fragile"]
