"""Automatic checks for the book's coding exercises.

Each ``grade_*`` function takes the student's answer (a value or a function), compares it
with a reference computed by wsl_lib, and either prints ``exercise passed: <what is right>`` (not the ``✓`` of
the book's findings, see :mod:`wsl_lib.claims`) or raises
:class:`ExerciseError` saying what is wrong, in words a student can act on. A chapter's
exercise text names its checker, e.g. ``wsl.exercises.grade_top1_localization(...)``.
"""

from __future__ import annotations

import math

import torch

from .baselines import centred_boxes
from .boxes import part_boxes
from .cam import class_activation_maps
from .gradcam import combine
from .localize import choose_fraction, localization_accuracy
from .metrics import confusion_matrix, mean_iou, pixel_precision_recall
from .noise import estimate_transition
from .seeding import generator

__all__ = [
    "ExerciseError", "expect_close", "expect_tensor", "grade_best_fraction", "grade_cams",
    "grade_centred_boxes", "grade_gap", "grade_grad_cam", "grade_lse_pooling", "grade_mean_iou",
    "grade_part_boxes", "grade_pixel_precision_recall", "grade_top1_localization",
    "grade_transition_estimate", "PART_BOX_CASES", "passed", "PASSED"
]

PASSED = "exercise passed:"
"""The start of the line a checker prints for a right answer: a verdict on the reader's answer,
written in words so that it is never mistaken for a finding (``✓``) or a check (``= checked:``)."""


class ExerciseError(AssertionError):
    """The student's answer is not right yet; the message says why.

    Raised by the exercise checkers of the first look and of chapters 1 to 9.
    """


def passed(what: str) -> None:
    """Print the line of a passed exercise check: ``exercise passed: <what>``.

    Called by every exercise checker, from the first look to chapter 9.
    """
    if not isinstance(what, str) or not what:
        raise TypeError(f"what: expected a non-empty str saying what was checked, got {what!r}")
    print(f"{PASSED} {what}")


def expect_close(name: str, answer, expected: float, *, tol: float = 1e-6) -> None:
    """Raise :class:`ExerciseError` unless the number ``answer`` is within ``tol`` of ``expected``.

    A helper of the exercise checkers of the first look and of chapters 4, 5 and 6.
    """
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
        raise ExerciseError(f"{name}: expected a finite number, got {answer!r}")
    if abs(answer - expected) > tol:
        raise ExerciseError(f"{name}: expected {expected:.4f}, got {answer:.4f}")


def expect_tensor(name: str, answer, expected: torch.Tensor, *, atol: float = 1e-5) -> None:
    """Raise :class:`ExerciseError` unless ``answer`` is a tensor of ``expected``'s shape and values.

    A helper of the exercise checkers of chapters 1, 2, 3, 7, 8 and 9.
    """
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

def grade_top1_localization(answer, *, boxes, gt_boxes, logits, labels) -> None:
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


# --- chapter 3 ---

def grade_cams(answer, *, features, weight) -> None:
    """Chapter 3, exercise "A fourth way to compute CAMs": the maps of every class ``(N, C, h, w)``."""
    reference = class_activation_maps(features, weight)
    if isinstance(answer, torch.Tensor) and answer.shape == reference.shape[:1] + reference.shape[2:]:
        raise ExerciseError(f"expected the maps of every class, shape {tuple(reference.shape)}; got one map per "
                            f"image {tuple(answer.shape)}")
    if isinstance(answer, torch.Tensor) and answer.shape == reference.transpose(0, 1).shape \
            and answer.shape != reference.shape:
        raise ExerciseError(f"expected shape {tuple(reference.shape)} (images first, then classes), "
                            f"got {tuple(answer.shape)}: are the two first dimensions swapped?")
    scale = float(reference.abs().max()) or 1.0
    expect_tensor("CAMs", answer, reference, atol=1e-5 * scale)
    passed("the maps equal sum_k w_k^c f_k(x, y) for every image and class")


# --- chapter 4 ---

def grade_best_fraction(answer, *, maps, gt_boxes, fractions) -> None:
    """Chapter 4, exercise "Choose the threshold": the fraction of each map's peak, among ``fractions``,
    with the best GT-known localization accuracy of the paper's rule on ``maps`` ``(N, H, W)``
    (the lowest one if tied)."""
    _, accuracies = choose_fraction(maps, gt_boxes, [float(t) for t in fractions])
    best = max(range(len(accuracies)), key=accuracies.__getitem__)      # the first (lowest) maximum
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, (int, float)) and not isinstance(answer, bool) and math.isfinite(answer):
        near = [i for i, t in enumerate(fractions) if abs(float(t) - answer) < 1e-6]
        if near and near[0] != best and abs(accuracies[near[0]] - accuracies[best]) < 1e-12:
            raise ExerciseError(f"{answer:g} ties with {float(fractions[best]):g}: take the lowest of tied fractions")
        if not near and 0 <= answer <= 1 and any(abs(a - answer) < 1e-6 for a in accuracies):
            raise ExerciseError("that is an accuracy: the answer is the threshold that reaches the best accuracy")
    expect_close("best fraction", answer, float(fractions[best]))
    passed("the best fraction is right")
# --- chapter 6 ---

def grade_pixel_precision_recall(student_fn, *, maps, masks, thresholds=(0.0, 0.3, 0.5, 0.9)) -> None:
    """Chapter 6, exercise "Pixel precision and recall by hand": ``student_fn(maps, masks, tau) -> (prec, rec)``.

    Compared with :func:`wsl_lib.metrics.pixel_precision_recall` at each of ``thresholds``
    (precision is 1 where no pixel reaches ``tau``, as in the book).
    """
    if not callable(student_fn):
        raise ExerciseError(f"expected a function (maps, masks, tau) -> (precision, recall), got {type(student_fn).__name__}")
    precision, recall = pixel_precision_recall(maps, masks, list(thresholds))
    for i, tau in enumerate(thresholds):
        answer = student_fn(maps, masks, tau)
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            raise ExerciseError(f"at tau = {tau}: expected a pair (precision, recall), got {answer!r}")
        expect_close(f"precision at tau = {tau}", answer[0], float(precision[i]), tol=1e-6)
        expect_close(f"recall at tau = {tau}", answer[1], float(recall[i]), tol=1e-6)
    passed(f"pixel precision and recall are right at the {len(thresholds)} thresholds")


# --- chapter 7 ---

def grade_grad_cam(student_fn, *, seed: int = 0) -> None:
    """Chapter 7, exercise "Grad-CAM from activations and gradients": ``student_fn(A, G) -> maps``.

    ``A`` and ``G`` are ``(N, K, h, w)``; the answer ``(N, h, w)`` is compared with
    :func:`wsl_lib.gradcam.combine` on random tensors, including negative gradients.
    """
    if not callable(student_fn):
        raise ExerciseError(f"expected a function (activations, gradients) -> maps, got {type(student_fn).__name__}")
    g = generator(seed)
    activations = torch.rand(3, 5, 4, 4, generator=g)
    gradients = torch.randn(3, 5, 4, 4, generator=g)
    answer = student_fn(activations, gradients)
    expected = combine(activations, gradients, "gradcam")
    if isinstance(answer, torch.Tensor) and answer.shape == expected.shape and bool((answer < -1e-6).any()):
        raise ExerciseError("your map has negative values: Grad-CAM ends with a ReLU")
    if isinstance(answer, torch.Tensor) and answer.shape == expected.shape:
        summed = torch.relu((gradients.sum(dim=(2, 3), keepdim=True) * activations).sum(1))
        if torch.allclose(answer, summed, atol=1e-5) and not torch.allclose(summed, expected, atol=1e-5):
            raise ExerciseError("the weights alpha_k are the *mean* of the gradients over positions, not their sum")
    expect_tensor("Grad-CAM maps", answer, expected, atol=1e-5)
    passed("your Grad-CAM equals the reference on random activations and gradients")
PART_BOX_CASES = (  # (box, what it is) on the ground-truth box (10, 10, 30, 30)
    ((12.0, 12.0, 20.0, 20.0), "well inside, IoU 0.16"),
    ((10.0, 10.0, 30.0, 30.0), "the true box itself"),
    ((40.0, 40.0, 50.0, 50.0), "entirely outside"),
    ((10.0, 10.0, 30.0, 20.0), "inside, IoU exactly 0.5"),
    ((10.0, 10.0, 29.0, 20.0), "inside, IoU 0.475"),
    ((8.0, 10.0, 18.0, 20.0), "80% inside, IoU 0.19"),
    ((7.0, 10.0, 17.0, 20.0), "70% inside, IoU 0.13"),
    ((15.0, 15.0, 15.0, 25.0), "empty (zero width)"),
)


def grade_part_boxes(student_fn) -> None:
    """Chapter 7, section 7.9, exercise "Part boxes from coordinates": ``student_fn(boxes, gt_boxes) -> (N,) bool``.

    ``boxes`` and ``gt_boxes`` are ``(N, 4)``; a part box lies at least 80% inside its true box and
    has IoU below 0.5 with it. The answer is compared with :func:`wsl_lib.boxes.part_boxes` on
    boxes chosen to reach every boundary of the rule
    (``PART_BOX_CASES``), and the message names the first box it gets wrong.
    """
    if not callable(student_fn):
        raise ExerciseError(f"expected a function (boxes, gt_boxes) -> (N,) bool, got {type(student_fn).__name__}")
    boxes = torch.tensor([box for box, _ in PART_BOX_CASES])
    gt_boxes = torch.tensor([[10.0, 10.0, 30.0, 30.0]]).repeat(len(boxes), 1)
    answer = student_fn(boxes.clone(), gt_boxes.clone())
    if not isinstance(answer, torch.Tensor) or answer.shape != (len(boxes),):
        got = tuple(answer.shape) if isinstance(answer, torch.Tensor) else type(answer).__name__
        raise ExerciseError(f"expected a tensor of shape ({len(boxes)},), one answer per box, got {got}")
    if answer.dtype != torch.bool:
        raise ExerciseError(f"expected a bool tensor (part box or not), got dtype {answer.dtype}; "
                            "compare with >= and < instead of returning the fractions")
    expected = part_boxes(boxes, gt_boxes)
    for (box, what), got, right in zip(PART_BOX_CASES, answer.tolist(), expected.tolist()):
        if got != right:
            raise ExerciseError(f"box {box} ({what}): expected {'a part box' if right else 'not a part box'}, "
                                f"got {'a part box' if got else 'not a part box'}")
    passed(f"your rule classifies all {len(boxes)} test boxes as the reference does")


# --- chapter 1 ---

def grade_centred_boxes(answer, *, reference_boxes, image_size) -> None:
    """Chapter 1, exercise "The centred box, by hand": the centred-box baseline."""
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

def grade_gap(fn) -> None:
    """Chapter 2, exercise "GAP by hand, as a function": ``fn(features (N, K, h, w)) -> (N, K)``."""
    if not callable(fn):
        raise ExerciseError(f"my_gap: expected a function, got {type(fn).__name__}")
    g = generator(0)
    for shape in ((2, 3, 4, 4), (1, 5, 2, 7), (3, 1, 1, 1)):
        features = torch.rand(shape, generator=g) * 4 - 1
        try:
            answer = fn(features.clone())
        except Exception as error:  # the student's code raised: say so, with the shape it got
            raise ExerciseError(f"my_gap raised {type(error).__name__}: {error} on features of shape {shape}") from None
        expect_tensor(f"my_gap on features of shape {shape}", answer, features.mean(dim=(2, 3)))
    passed("my_gap computes global average pooling for square and non-square maps")
# --- chapter 5 ---

def grade_mean_iou(answer, *, predicted, target, num_classes) -> None:
    """Chapter 5, exercise "Accuracy is not IoU": the mean IoU of ``predicted`` against ``target``."""
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


# --- chapter 8 ---

def grade_lse_pooling(fn) -> None:
    """Chapter 8, exercise "Log-sum-exp pooling by hand": ``fn(scores (B, L), mask (B, L), r) -> (B,)``,
    ``(1 / r) log((1 / n) sum_k exp(r s_k))`` over the ``n`` real instances (``mask`` True) of each bag."""
    from .mil import LSEPooling
    if not callable(fn):
        raise ExerciseError(f"my_lse: expected a function, got {type(fn).__name__}")
    g = generator(0)
    scores = torch.rand(4, 6, generator=g) * 6 - 3
    mask = torch.arange(6)[None] < torch.tensor([6, 4, 1, 3])[:, None]
    scores = scores.masked_fill(~mask, 7.0)                    # padding holds a large value on purpose
    cases = [(scores, mask, r) for r in (0.5, 2.0, 10.0)] + [(scores * 10, mask, 50.0)]   # the last overflows exp
    for s, m, r in cases:
        try:
            answer = fn(s.clone(), m.clone(), r)
        except Exception as error:  # the student's code raised: say so, with the case it got
            raise ExerciseError(f"my_lse raised {type(error).__name__}: {error} (scores of shape {tuple(s.shape)}, "
                                f"r = {r:g})") from None
        reference = LSEPooling(r)(s, m)
        if isinstance(answer, torch.Tensor) and answer.shape == reference.shape:
            if not bool(torch.isfinite(answer).all()):
                raise ExerciseError(f"my_lse gives infinite or NaN values for r = {r:g} and scores up to "
                                    f"{float(s[m].max()):.0f}: exp overflows; use torch.logsumexp, which "
                                    "subtracts the maximum first") from None
            if torch.allclose(answer, LSEPooling(r)(s), atol=1e-4):
                raise ExerciseError("my_lse uses the padding: leave out the instances where mask is False "
                                    "(fill them with -inf before the log-sum-exp)")
            n = m.sum(1).to(s.dtype)
            if torch.allclose(answer, reference + n.log() / r, atol=1e-4):
                raise ExerciseError("my_lse sums instead of averaging: subtract log(n), n the number of real "
                                    "instances, before dividing by r")
        expect_tensor(f"my_lse for r = {r:g}", answer, reference, atol=1e-4)
    passed("my_lse pools scores by log-sum-exp over the real instances of each bag, for small and large r")


# --- chapter 9: learning from noisy labels ---

def grade_transition_estimate(answer, *, probabilities, labels) -> None:
    """Chapter 9, exercise "Estimate the noise": the transition matrix ``(C, C)`` estimated from a noisy-label
    model's ``probabilities`` ``(N, C)`` on clean images of true ``labels`` ``(N,)``: row ``i`` is the mean of
    the probabilities of the images of class ``i`` (:func:`wsl_lib.noise.estimate_transition`)."""
    reference = estimate_transition(probabilities, labels)
    if isinstance(answer, torch.Tensor) and answer.shape == reference.shape:
        given = answer.detach().cpu().double()
        sums = torch.zeros_like(reference).index_add_(0, labels.cpu(), probabilities.detach().cpu().double())
        if not torch.allclose(given, reference, atol=1e-5):
            if torch.allclose(given, sums, atol=1e-5):
                raise ExerciseError("those are sums: divide each row by the number of images of its true class")
            if torch.allclose(given, reference.T, atol=1e-5):
                raise ExerciseError("transposed: row i is the true class i, column j the noisy label j "
                                    "(T[i, j] = P(noisy j | true i))")
            if torch.allclose(given, sums / sums.sum(0, keepdim=True).clamp_min(1e-12), atol=1e-5):
                raise ExerciseError("each column sums to 1: average over the images of each true class, "
                                    "so that each row sums to 1")
    expect_tensor("estimate", answer, reference, atol=1e-5)
    passed("the estimated transition matrix is right: row i averages the images of true class i")
