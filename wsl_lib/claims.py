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

Introduced on the page "How robust are the findings"; used by every chapter.
"""

from __future__ import annotations

import numbers
import os

import numpy as np
import torch

CHECK_MARK = "\u2713"
CROSS_MARK = "\u2717"
CHECKED = "= checked:"
MODE_VAR = "WSL_CLAIMS"
MODES = ("report", "strict")
ROBUSTNESS_PAGE = "the page 'How robust are the findings' (book/robustness.md)"


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


def claim(condition, statement: str, **measured) -> None:
    """An empirical finding: print ``✓ statement`` if ``condition`` holds.

    If it does not hold: in ``report`` mode (the default) print a ``✗`` line with the
    ``measured`` values (keyword arguments, e.g. ``weak=0.58, full=0.78``) and go on;
    in ``strict`` mode (``WSL_CLAIMS=strict``, set by the test command) raise :class:`ClaimError`.
    ``condition`` must be a bool (a Python or NumPy bool, or a one-element bool tensor),
    so that a number or an array is never silently taken as true.

    Called by every chapter, from the first look on.
    """
    _check_statement(statement)
    held = _as_bool("condition", condition)
    current = mode()
    if held:
        print(f"{CHECK_MARK} {statement}")
        return
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
