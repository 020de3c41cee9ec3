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


# --- chapter 1 ---

def check_centred_boxes(answer, *, reference_boxes, image_size) -> None:
    """Chapter 1, exercise "The centred box, by hand": the centred-box baseline."""
    from .localize import centred_boxes
    if not isinstance(answer, torch.Tensor) or answer.ndim != 2 or answer.shape[-1] != 4:
        raise ExerciseError(f"boxes: expected a tensor (N, 4) of boxes (x1, y1, x2, y2), got "
                            f"{tuple(answer.shape) if isinstance(answer, torch.Tensor) else type(answer).__name__}")
    reference = centred_boxes(reference_boxes, len(answer), image_size)
    size = answer[:, 2:] - answer[:, :2]
    if bool((size < 0).any()):
        raise ExerciseError("boxes: some box has x2 < x1 or y2 < y1; the order is (x1, y1, x2, y2)")
    expect_tensor("boxes", answer, reference, atol=1e-4)
    passed("the centred boxes are right")


# --- chapter 2 ---

def check_gap(fn) -> None:
    """Chapter 2, exercise "GAP by hand, as a function": ``fn(features (N, K, h, w)) -> (N, K)``."""
    if not callable(fn):
        raise ExerciseError(f"my_gap: expected a function, got {type(fn).__name__}")
    g = torch.Generator().manual_seed(0)
    for shape in ((2, 3, 4, 4), (1, 5, 2, 7), (3, 1, 1, 1)):
        features = torch.rand(shape, generator=g) * 4 - 1
        try:
            answer = fn(features.clone())
        except Exception as error:  # the student's code raised: say so, with the shape it got
            raise ExerciseError(f"my_gap raised {type(error).__name__}: {error} on features of shape {shape}") from None
        expect_tensor(f"my_gap on features of shape {shape}", answer, features.mean(dim=(2, 3)))
    passed("my_gap computes global average pooling for square and non-square maps")
