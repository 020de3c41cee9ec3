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


# --- chapter 5 ---

def check_mean_iou(answer, *, predicted, target, num_classes) -> None:
    """Chapter 5, exercise "Accuracy is not IoU": the mean IoU of ``predicted`` against ``target``."""
    from .segment import confusion_matrix, mean_iou
    reference = mean_iou(predicted, target, num_classes)
    try:
        expect_close("mean IoU", answer, reference, tol=1e-6)
    except ExerciseError:
        confusion = confusion_matrix(predicted, target, num_classes).double()
        pixel_accuracy = float(confusion.diagonal().sum() / confusion.sum())
        if isinstance(answer, (int, float)) and abs(answer - pixel_accuracy) < 1e-6:
            raise ExerciseError("that is the pixel accuracy (correct pixels / all pixels): the mean IoU "
                                "averages TP / (TP + FP + FN) over the labels") from None
        iou = confusion.diagonal() / (confusion.sum(0) + confusion.sum(1) - confusion.diagonal())
        if isinstance(answer, (int, float)) and abs(answer - float(iou.nan_to_num(0.0).mean())) < 1e-6:
            raise ExerciseError("a label that is neither in the target nor predicted has no IoU: leave it out "
                                "of the mean instead of counting it as 0") from None
        raise
    passed("the mean IoU is right")
