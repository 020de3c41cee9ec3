"""wsl_lib.claims: the two kinds of checked sentence (claims and checks), their modes and records."""

import numpy as np
import pytest
import torch

from wsl_lib import claims
from wsl_lib.claims import ClaimError, claim


def test_claim_prints_a_check_mark(capsys):
    claim(True, "two is more than one")
    claim(torch.tensor(True), "a bool tensor works")
    assert capsys.readouterr().out == "\u2713 two is more than one\n\u2713 a bool tensor works\n"


def test_false_claim_raises_with_the_statement():
    with pytest.raises(ClaimError, match="claim failed: weak beats full"):
        claim(False, "weak beats full")
    assert issubclass(ClaimError, AssertionError)


@pytest.mark.parametrize("condition", [1, 0.5, torch.tensor([True, False]), torch.tensor(1.0), "yes", None])
def test_claim_rejects_non_bools(condition):
    with pytest.raises(TypeError, match="condition: expected"):
        claim(condition, "something")


def test_claim_needs_a_statement():
    with pytest.raises(TypeError, match="statement"):
        claim(True, "  ")
    assert claims.CHECK_MARK == "\u2713"


def test_a_held_claim_and_a_check_print_different_lines(capsys):
    claims.claim(True, "weak beats nothing")
    claims.check(True, "1 + 1 == 2")
    assert capsys.readouterr().out == "\u2713 weak beats nothing\n= checked: 1 + 1 == 2\n"


def test_in_report_mode_a_failed_claim_is_told_not_raised(monkeypatch, capsys):
    monkeypatch.setenv("WSL_CLAIMS", "report")
    assert claims.claim(False, "full beats weak", full=0.5, weak=torch.tensor(0.61234)) is None
    line = capsys.readouterr().out
    assert line.startswith("\u2717 did not hold in this run: full beats weak (measured: full = 0.5, weak = 0.6123)")
    assert "How robust are the findings" in line


def test_report_is_the_default_and_strict_raises(monkeypatch):
    monkeypatch.delenv("WSL_CLAIMS", raising=False)
    assert claims.mode() == "report"
    monkeypatch.setenv("WSL_CLAIMS", "strict")
    with pytest.raises(claims.ClaimError, match=r"claim failed: a > b \(a = 1, b = 2\)"):
        claims.claim(False, "a > b", a=1, b=2)


def test_a_failed_check_raises_in_every_mode(monkeypatch):
    for mode in ("report", "strict"):
        monkeypatch.setenv("WSL_CLAIMS", mode)
        with pytest.raises(claims.ClaimError, match="check failed: identity"):
            claims.check(False, "identity")


def test_the_test_command_runs_claims_strictly():
    # set by tests/conftest.py (and book/conftest.py for the notebooks' kernels)
    assert claims.mode() == "strict"


def test_bounds_know_their_margin_in_the_claims_unit():
    b = claims.above(torch.tensor(0.42), 0.10)
    assert b == claims.Bound(pytest.approx(0.42), 0.10, ">", "points") and b.held
    assert b.margin == pytest.approx(0.32)
    c = claims.below(np.float32(3.0), 2, unit="x")
    assert not c.held and c.margin == pytest.approx(-1.0) and isinstance(c.value, float)
    assert claims.all_of(b, c) == (b, c)


def test_a_bounded_claim_holds_only_if_every_part_holds(monkeypatch, capsys):
    monkeypatch.setenv("WSL_CLAIMS", "report")
    claims.claim(claims.all_of(claims.above(0.3, 0.1), claims.below(0.9, 0.1)), "both")
    line = capsys.readouterr().out
    assert line.startswith("\u2717 did not hold in this run: both (measured: value1 = 0.3, value2 = 0.9)")
    claims.claim(claims.above(0.3, 0.1), "one")
    assert capsys.readouterr().out == "\u2713 one\n"


def test_in_a_notebook_a_claim_leaves_a_hidden_record(monkeypatch, capsys):
    import json

    from IPython.core.interactiveshell import InteractiveShell
    shown = []
    monkeypatch.setattr(InteractiveShell, "initialized", classmethod(lambda cls: True))
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))
    claims.claim(claims.above(0.42, 0.10), "A beats B by more than 10 points")
    claims.claim(True, "A is the best")
    assert capsys.readouterr().out == "\u2713 A beats B by more than 10 points\n\u2713 A is the best\n"
    (bundle,), kwargs = shown[0]
    assert kwargs["raw"] and kwargs["metadata"]["scrapbook"]["name"].startswith("wsl-claim-")
    assert kwargs["metadata"]["scrapbook"]["mime_prefix"] == "application/papermill.record/"
    record = json.loads(bundle["application/papermill.record/text/plain"])
    assert record == {"statement": "A beats B by more than 10 points", "held": True,
                      "parts": [{"value": 0.42, "bound": 0.10, "sense": ">", "unit": "points"}]}
    assert json.loads(shown[1][0][0]["application/papermill.record/text/plain"])["parts"] == []
    names = [k["metadata"]["scrapbook"]["name"] for _, k in shown]
    assert len(set(names)) == 2                       # one glue key per record: myst-nb warns on duplicates


def test_outside_a_notebook_a_claim_records_nothing(capsys):
    claims.claim(claims.above(1, 0), "one above nought")
    assert capsys.readouterr().out == "\u2713 one above nought\n"
