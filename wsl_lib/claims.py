"""Claims and checks: the sentences of the book that state a number or a comparison, tested as it runs.

Two kinds of sentence, two functions:

* ``claim(condition, statement, **measured)`` for an **empirical finding**, something that
  could have come out otherwise ("full supervision localizes better than CAM"). It prints
  ``✓ statement`` when the condition holds. The book states a finding only if it held on
  every seed and machine of the robustness run (the page "How robust are the findings").
* ``check(condition, statement)`` for what **holds by construction** (an identity, two
  implementations of one function, an exact count, an order that follows from the
  definitions). It prints ``= checked: statement``; if it fails, the code is wrong, so it
  always raises :class:`ClaimError`.

What a failed claim does depends on one switch, the environment variable ``WSL_CLAIMS``:

* ``report`` (the default, for readers): the notebook goes on, and prints a line starting
  with ``✗`` that says the finding did not hold in this run, with the measured values
  given as keyword arguments and a pointer to the robustness page. A reader on another
  GPU, or one who changed a cell, is told, not stopped.
* ``strict`` (set by the test command's conftest files, never by a notebook; ``make robustness``
  runs in ``report`` mode so that it records every claim):
  raise :class:`ClaimError`, so a notebook whose prose has stopped being true fails loudly.

The printed lines hold no computed number when the claim holds, so they are the same on
every machine and nbval can compare them; the numbers themselves are glued into the prose.

**Margins.** A comparison states a quantity and a bound ("the weak localizer beats the centred
box by more than 30 points": the difference, and 30 points). Written with :func:`above` or
:func:`below`, the claim records both, so the robustness run can say how much room each run
left (the *margin*, in the claim's own unit) and whether that room is large against the spread
of the quantity over seeds::

    claim(above(weak - centred, 0.30), "the weak localizer beats the centred box by more than 30 points")
    claim(below(abs(gap - gmp), 0.05), "GAP and GMP classify within 5 points of each other")
    claim(all_of(above(a, 0.9), below(b, 0.1)), "...")        # every part must hold

Each call of :func:`claim` in a notebook also leaves a hidden record (a glue record of
myst-nb, which the book does not show and nbval does not compare) holding the statement,
whether it held, and each part's value, bound and unit; ``scripts/robustness.py`` reads them.
A plain bool still works, for a finding that is not a comparison with a bound (which class has
the most of something); it records no margin.

Introduced on the page "How robust are the findings"; used by every chapter.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from typing import NamedTuple

import numpy as np
import torch

CHECK_MARK = "\u2713"
CROSS_MARK = "\u2717"
CHECKED = "= checked:"
MODE_VAR = "WSL_CLAIMS"
MODES = ("report", "strict")
ROBUSTNESS_PAGE = "the page 'How robust are the findings' (book/robustness.md)"
RECORD_MIME = "application/papermill.record/text/plain"   # a hidden glue record (myst-nb's prefix)
RECORD_KEY = "wsl-claim-"                                  # glue keys of the records: wsl-claim-1, -2, ...
UNITS = ("points", "AUC", "x", "")     # a fraction shown as points (x 100); an AUC; a ratio; a plain number

__all__ = [
    "above", "all_of", "below", "Bound", "check", "CHECK_MARK", "CHECKED", "claim", "ClaimError",
    "CROSS_MARK", "mode", "MODE_VAR", "MODES", "RECORD_KEY", "RECORD_MIME", "ROBUSTNESS_PAGE", "UNITS"
]


class ClaimError(AssertionError):
    """A claim of the book does not hold (in strict mode), or a check does not hold.

    Raised by :func:`claim` (in strict mode) and :func:`check`, which every chapter calls from the
    first look on.
    """


def mode() -> str:
    """``"report"`` or ``"strict"``, from ``WSL_CLAIMS`` (``"report"`` when unset or empty).

    Read by :func:`claim`, which every chapter calls from the first look on.
    """
    value = os.environ.get(MODE_VAR, "").strip() or "report"
    if value not in MODES:
        raise ValueError(f"{MODE_VAR}: expected one of {', '.join(map(repr, MODES))}, got {value!r}")
    return value


def _as_bool(name: str, condition) -> bool:
    if isinstance(condition, torch.Tensor):
        if condition.numel() != 1 or condition.dtype != torch.bool:
            raise TypeError(f"{name}: expected a single bool, got a {condition.dtype} tensor of shape "
                            f"{tuple(condition.shape)} (reduce it with .all() or .any() first)")
        return bool(condition)
    if isinstance(condition, (bool, np.bool_)):
        return bool(condition)
    raise TypeError(f"{name}: expected a bool, got {type(condition).__name__} {condition!r}")


def _check_statement(statement) -> None:
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(f"statement: expected a non-empty str, got {statement!r}")


def _format(value) -> str:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral)):
        return f"{float(value):.4g}"
    return str(value)


class Bound(NamedTuple):
    """One comparison of a claim: ``value`` is above (``sense=">"``) or below (``"<"``) ``bound``.

    ``margin`` is how far ``value`` lies on the right side of ``bound`` (negative when the
    comparison fails), in the same ``unit``: ``"points"`` for fractions (a margin of 0.03 is 3
    points), ``"AUC"``, ``"x"`` (a ratio), or ``""`` (a plain number). Made by :func:`above` and
    :func:`below`; read by :func:`claim` and the robustness run. Every chapter's comparisons make
    one, from the first look on.
    """

    value: float
    bound: float
    sense: str
    unit: str

    @property
    def held(self) -> bool:
        return self.value > self.bound if self.sense == ">" else self.value < self.bound

    @property
    def margin(self) -> float:
        return self.value - self.bound if self.sense == ">" else self.bound - self.value


def _real(name: str, value):
    """A Python number from a number, a NumPy scalar or a one-element tensor; anything else is
    returned as it is (and refused by :func:`claim`, which names the claim)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, np.generic) and value.size == 1:
        value = value.item()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


def _bound(value, bound, sense: str, unit: str) -> Bound:
    if unit not in UNITS:
        raise ValueError(f"unit: expected one of {', '.join(map(repr, UNITS))}, got {unit!r}")
    return Bound(_real("value", value), _real("bound", bound), sense, unit)


def above(value, bound, *, unit: str = "points") -> Bound:
    """The part of a claim that says ``value > bound`` (a :class:`Bound`); see :func:`claim`.

    ``value`` and ``bound`` are numbers (Python or NumPy scalars, or one-element tensors);
    ``unit`` says how the margin reads (default ``"points"``: fractions, a margin of 0.03 reads
    as 3 points). Every chapter's comparisons use it, from the first look on.

    >>> above(0.62 - 0.48, 0.10).margin > 0
    True
    """
    return _bound(value, bound, ">", unit)


def below(value, bound, *, unit: str = "points") -> Bound:
    """The part of a claim that says ``value < bound`` (a :class:`Bound`); see :func:`claim`.

    Every chapter's comparisons use it, from the first look on.

    >>> below(0.02, 0.05).held
    True
    """
    return _bound(value, bound, "<", unit)


def all_of(*parts: Bound) -> tuple[Bound, ...]:
    """Several comparisons that must all hold, for a claim that states more than one (each
    part keeps its own value, bound and unit). Used by chapters whose sentences join two bounds."""
    if not parts or not all(isinstance(p, Bound) for p in parts):
        raise TypeError(f"parts: expected one or more Bound (from above or below), got {parts!r}")
    return tuple(parts)


def _parts(statement: str, condition) -> tuple[bool, list[Bound]]:
    """Whether ``condition`` holds and its parts (none for a plain bool); a clear error naming the
    claim when a part's value or bound is not a finite number."""
    if isinstance(condition, Bound):
        condition = (condition,)
    if isinstance(condition, tuple) and condition and all(isinstance(p, Bound) for p in condition):
        for part in condition:
            for name in ("value", "bound"):
                x = getattr(part, name)
                if not isinstance(x, float) or not math.isfinite(x):
                    raise ValueError(f"{name}: expected a finite number, got {x!r} (in the claim {statement!r})")
        return all(p.held for p in condition), list(condition)
    return _as_bool("condition", condition), []


_records = 0


def _record(statement: str, held: bool, parts: list[Bound]) -> None:
    """Leave the claim's record in the notebook, hidden: a glue record with the statement,
    whether it held and each part (value, bound, sense, unit). Nothing outside a notebook."""
    global _records
    try:
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.display import display
    except ImportError:          # wsl_lib without IPython: no notebook to record in
        return
    if not InteractiveShell.initialized():
        return
    _records += 1
    record = {"statement": statement, "held": held, "parts": [p._asdict() for p in parts]}
    display({RECORD_MIME: json.dumps(record)}, raw=True,
            metadata={"scrapbook": {"name": f"{RECORD_KEY}{_records}",
                                    "mime_prefix": RECORD_MIME[: -len("text/plain")]}})


def claim(condition, statement: str, **measured) -> None:
    """An empirical finding: print ``✓ statement`` if ``condition`` holds.

    ``condition`` is a :class:`Bound` (from :func:`above` or :func:`below`), several of them
    (:func:`all_of`), or a plain bool for a finding with no bound to record.

    If it does not hold: in ``report`` mode (the default) print a ``✗`` line with the
    ``measured`` values (keyword arguments, e.g. ``weak=0.58, full=0.78``) and go on;
    in ``strict`` mode (``WSL_CLAIMS=strict``, set by the test command) raise :class:`ClaimError`.
    A plain ``condition`` must be a bool (a Python or NumPy bool, or a one-element bool tensor),
    so that a number or an array is never silently taken as true; a Bound's value and bound must
    be finite numbers (a ``ValueError`` naming the claim otherwise).

    Called by every chapter, from the first look on.
    """
    _check_statement(statement)
    held, parts = _parts(statement, condition)
    current = mode()
    _record(statement, held, parts)
    if held:
        print(f"{CHECK_MARK} {statement}")
        return
    measured = {**{f"value{i + 1 if len(parts) > 1 else ''}": p.value for i, p in enumerate(parts)}, **measured}
    values = ", ".join(f"{k} = {_format(v)}" for k, v in measured.items())
    if current == "strict":
        raise ClaimError(f"claim failed: {statement}" + (f" ({values})" if values else ""))
    print(f"{CROSS_MARK} did not hold in this run: {statement}" + (f" (measured: {values})" if values else "")
          + f". The book states it because it held on every seed of its robustness run; see {ROBUSTNESS_PAGE}.")


def check(condition, statement: str) -> None:
    """What holds by construction: print ``= checked: statement``, or raise :class:`ClaimError`.

    A failed check means the code is wrong (not that a finding varies), so it raises in
    every mode.

    Called by every chapter, from the first look on.
    """
    _check_statement(statement)
    if not _as_bool("condition", condition):
        raise ClaimError(f"check failed: {statement}")
    print(f"{CHECKED} {statement}")
