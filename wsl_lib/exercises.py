"""Automatic checks for the book's coding exercises.

Each ``check_*`` function takes the student's answer (a value or a function), compares it
with a reference computed by wsl_lib, and either prints ``✓ <what is right>`` or raises
:class:`ExerciseError` saying what is wrong, in words a student can act on. A chapter's
exercise text names its checker, e.g. ``wsl.exercises.check_top1_localization(...)``.
"""

from __future__ import annotations

import math

import torch

from .claims import CHECK_MARK
from .localize import localization_accuracy


class ExerciseError(AssertionError):
    """The student's answer is not right yet; the message says why."""


def passed(what: str) -> None:
    """Print the check mark line of a passed exercise check."""
    if not isinstance(what, str) or not what:
        raise TypeError(f"what: expected a non-empty str saying what was checked, got {what!r}")
    print(f"{CHECK_MARK} {what}")


def expect_close(name: str, answer, expected: float, *, tol: float = 1e-6) -> None:
    """Raise :class:`ExerciseError` unless the number ``answer`` is within ``tol`` of ``expected``."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
        raise ExerciseError(f"{name}: expected a finite number, got {answer!r}")
    if abs(answer - expected) > tol:
        raise ExerciseError(f"{name}: expected {expected:.4f}, got {answer:.4f}")


def expect_tensor(name: str, answer, expected: torch.Tensor, *, atol: float = 1e-5) -> None:
    """Raise :class:`ExerciseError` unless ``answer`` is a tensor of ``expected``'s shape and values."""
    if not isinstance(answer, torch.Tensor):
        raise ExerciseError(f"{name}: expected a torch.Tensor of shape {tuple(expected.shape)}, "
                            f"got {type(answer).__name__}")
    if answer.shape != expected.shape:
        raise ExerciseError(f"{name}: expected shape {tuple(expected.shape)}, got {tuple(answer.shape)}")
    diff = (answer.detach().cpu().double() - expected.detach().cpu().double()).abs()
    if not bool((diff <= atol).all()):
        where = tuple(int(i) for i in torch.nonzero(diff > atol)[0])
        raise ExerciseError(f"{name}: differs from the reference at index {where} "
                            f"(got {answer[where].item():.4g}, expected {expected[where].item():.4g})")


# --------------------------------------------------------------------------- the first look

def check_top1_localization(answer, *, boxes, gt_boxes, logits, labels) -> None:
    """First look, exercise "Right place, wrong name": top-1 localization accuracy."""
    reference = localization_accuracy(boxes, gt_boxes, logits=logits, labels=labels, k=1)
    gt_known = localization_accuracy(boxes, gt_boxes)
    try:
        expect_close("top-1 localization accuracy", answer, reference)
    except ExerciseError:
        if isinstance(answer, float) and abs(answer - gt_known) < 1e-6 and abs(gt_known - reference) > 1e-6:
            raise ExerciseError("that is the GT-known accuracy: top-1 also needs the predicted class to be "
                                "the true one (pass logits, labels and k=1)") from None
        raise
    passed("top-1 localization accuracy is right")
