"""Claims: the sentences of the book that state a number or a comparison, checked when the notebook runs.

``claim(condition, statement)`` prints ``✓ statement`` when the condition holds and
raises :class:`ClaimError` naming the statement when it does not, so a notebook
whose prose has stopped being true fails its test instead of silently lying.
The printed line is the same on every machine (it holds no computed number), so
nbval can compare it; the numbers themselves are glued into the prose.
"""

from __future__ import annotations

import numpy as np
import torch

CHECK_MARK = "\u2713"


class ClaimError(AssertionError):
    """A claim of the book does not hold."""


def _as_bool(name: str, condition) -> bool:
    if isinstance(condition, torch.Tensor):
        if condition.numel() != 1 or condition.dtype != torch.bool:
            raise TypeError(f"{name}: expected a single bool, got a {condition.dtype} tensor of shape "
                            f"{tuple(condition.shape)} (reduce it with .all() or .any() first)")
        return bool(condition)
    if isinstance(condition, (bool, np.bool_)):
        return bool(condition)
    raise TypeError(f"{name}: expected a bool, got {type(condition).__name__} {condition!r}")


def claim(condition, statement: str) -> None:
    """Print ``✓ statement`` if ``condition`` is true; raise :class:`ClaimError` if it is false.

    ``condition`` must be a bool (a Python or NumPy bool, or a one-element bool tensor),
    so that a number or an array is never silently taken as true.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(f"statement: expected a non-empty str, got {statement!r}")
    if not _as_bool("condition", condition):
        raise ClaimError(f"claim failed: {statement}")
    print(f"{CHECK_MARK} {statement}")
