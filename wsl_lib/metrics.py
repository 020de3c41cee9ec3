"""Every score of the book: box localization, pixel localization, and segmentation.

**Boxes from score maps** (Choe et al., CVPR 2020). Score maps are normalized to [0, 1] per
image (``wsl_lib.cam.normalize(maps, "minmax")``) and thresholded at absolute values ``tau``.
With ``delta`` an IoU level:

* ``BoxAcc(tau, delta)``: the fraction of images for which a box from the map thresholded at
  ``tau`` (the region ``map >= tau``) has IoU >= ``delta`` with a ground-truth box.
* ``MaxBoxAcc(delta)``: the best ``BoxAcc(tau, delta)`` over the thresholds; the box is that of
  the largest 8-connected component, and ``delta = 0.5``.
* ``MaxBoxAccV2``: the mean of ``MaxBoxAcc(delta)`` over ``delta`` in 0.3, 0.5 and 0.7, each
  level with its own best threshold, where the box of *every* connected component is a
  candidate and the best match counts.

:func:`iou_curve_plain` is that definition written out (label each thresholded map with
``scipy.ndimage``); :func:`iou_curve` computes the same numbers faster. Choe et al.'s released
code (wsolevaluation) differs from the definition in three details, which
``convention="wsolevaluation"`` reproduces (see :func:`iou_curve`).

**Pixels**: ``PxAP``, with the exact masks, pools all pixels and takes the area under the pixel
precision-recall curve traced by the thresholds; pixels marked ``ignore`` count for nothing.

**Segmentation**: :func:`confusion_matrix`, :func:`iou_per_class` and :func:`mean_iou` over
per-pixel label maps (0 the background, ``c + 1`` class ``c``,
:data:`wsl_lib.conventions.IGNORE_INDEX` unknown).

The thresholds default to ``0.00, 0.01, ..., 0.99`` (100 of them, as in the paper). Boxes
follow :mod:`wsl_lib.boxes`. Derived in chapter 6 (chapter 3 first uses MaxBoxAcc, chapter 4 sweeps
thresholds with it, chapter 5 uses mIoU).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
import torchvision.ops as ops

from ._checks import check_boxes, check_boxes_inside, check_choice, check_class_indices, check_number, check_same_length, check_tensor
from ._sweep import sweep_ious
from .boxes import best_iou, mask_components
from .conventions import IGNORE_INDEX

__all__ = [
    "box_accuracy", "COMPONENTS", "confusion_matrix", "CONVENTIONS", "default_thresholds", "iou_curve",
    "iou_curve_plain", "iou_per_class", "max_box_accuracy", "max_box_accuracy_v2", "MaxBoxAccuracy",
    "mean_iou", "pixel_average_precision", "pixel_precision_recall", "UNLABELLED", "wsol_scores",
    "WSOLScores"
]

COMPONENTS = ("largest", "all")
CONVENTIONS = ("exact", "wsolevaluation")


def default_thresholds(step: float = 0.01) -> torch.Tensor:
    """Thresholds ``0, step, 2 step, ...`` below 1: ``(T,)`` float64 (1.0 itself is never included).

    The default sweep of chapter 6's metrics; chapter 7 and its section 7.9 call it directly.
    """
    check_number("step", step, low=0.0, high=1.0, low_open=True, high_open=True)
    return torch.arange(0.0, 1.0 - 1e-9, step, dtype=torch.float64)


def _check_thresholds(thresholds) -> torch.Tensor:
    if thresholds is None:
        return default_thresholds()
    thresholds = torch.as_tensor(thresholds, dtype=torch.float64) if not isinstance(thresholds, torch.Tensor) \
        else thresholds.double()
    check_tensor("thresholds", thresholds, ndim=1, finite=True)
    if bool((thresholds < 0).any() or (thresholds > 1).any()):
        raise ValueError("thresholds: expected values in [0, 1], got values outside it")
    if len(thresholds) > 1 and not bool((thresholds[1:] > thresholds[:-1]).all()):
        raise ValueError("thresholds: expected strictly increasing values")
    return thresholds


def _check_maps(maps):
    check_tensor("maps", maps, ndim=3, kind="float", finite=True)
    low, high = torch.aminmax(maps)                            # one pass
    if bool(low < 0) or bool(high > 1):
        raise ValueError("maps: expected score maps normalized to [0, 1] "
                         "(wsl_lib.cam.normalize(maps, 'minmax')), got values outside [0, 1]")


def _check_box_inputs(maps, gt_boxes, components):
    _check_maps(maps)
    check_boxes("gt_boxes", gt_boxes, ndim=(2, 3))
    check_same_length(maps=maps, gt_boxes=gt_boxes)
    check_boxes_inside("gt_boxes", gt_boxes, maps.shape[-2:])
    check_choice("components", components, COMPONENTS)
    return gt_boxes.detach().reshape(len(maps), -1, 4).cpu().float()       # (N, K, 4)


# --------------------------------------------------------------------------- boxes: the definition

def iou_curve_plain(maps: torch.Tensor, gt_boxes: torch.Tensor, thresholds=None, *,
                    components: str = "largest") -> torch.Tensor:
    """Best IoU with the ground truth of each image at each threshold: ``(N, T)``. The definition.

    For each map ``(H, W)`` of ``maps`` ``(N, H, W)`` and each threshold ``tau``: the region
    ``map >= tau``, its 8-connected components (``scipy.ndimage.label``), their boxes
    (``find_objects``; only the largest component's with ``components="largest"``, every one
    with ``"all"``), and the highest IoU of a candidate box with a ground-truth box
    (``gt_boxes`` ``(N, 4)`` or ``(N, K, 4)``). An empty region scores 0. The largest component
    is the one with the most pixels; of several as large, the one whose first pixel comes first
    in raster order (row by row, left to right), which is ``ndimage.label``'s numbering.

    A loop over images and thresholds, written to be read; :func:`iou_curve` gives the same
    numbers, faster.

    Described in chapter 6, as the definition of the box metrics.
    """
    gt = _check_box_inputs(maps, gt_boxes, components)
    thresholds = _check_thresholds(thresholds)
    scores = maps.detach().cpu()
    taus = thresholds.to(scores.dtype)                   # compare in the maps' own precision
    ious = torch.zeros(len(scores), len(taus))
    for i, score_map in enumerate(scores.numpy()):
        for j, tau in enumerate(taus.numpy()):
            _, found, largest = mask_components(score_map >= tau)
            if not found:
                continue
            if components == "largest":
                found = [found[largest - 1]]
            candidates = torch.tensor(found, dtype=torch.float32)    # (B, 4)
            ious[i, j] = float(best_iou(candidates, gt[i].expand(len(candidates), -1, -1)).max())
    return ious


# --------------------------------------------------------------------------- boxes: the reference code's convention

def _wsolevaluation_curve(maps: torch.Tensor, gt: torch.Tensor, thresholds: torch.Tensor,
                          components: str) -> torch.Tensor:
    """``iou_curve`` as Choe et al.'s released ``evaluation.py`` computes it (OpenCV contours)."""
    try:
        import cv2
    except ImportError as error:                                 # pragma: no cover (installed by the book)
        raise ImportError("convention='wsolevaluation' calls OpenCV, as the reference code does: "
                          "pip install opencv-python-headless") from error
    n, h, w = maps.shape
    ious = torch.zeros(n, len(thresholds))
    for i, score_map in enumerate(maps.detach().cpu().double().numpy()):
        image = (score_map * 255).astype(np.uint8)               # truncation, as the reference code
        peak = int(image.max())
        for j, tau in enumerate(thresholds.tolist()):
            _, region = cv2.threshold(image, int(tau * peak), 255, cv2.THRESH_BINARY)     # strictly above
            contours = cv2.findContours(region, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)[0]
            if len(contours) == 0:
                candidates = [(0, 0, 0, 0)]
            else:
                if components == "largest":
                    contours = [max(contours, key=cv2.contourArea)]
                candidates = []
                for contour in contours:
                    x, y, bw, bh = cv2.boundingRect(contour)
                    candidates.append((x, y, min(x + bw, w - 1), min(y + bh, h - 1)))
            box = torch.tensor(candidates, dtype=torch.float32)              # (B, 4), read as inclusive
            ious[i, j] = float(_inclusive_iou(box, gt[i]).max())
    return ious


def _inclusive_iou(boxes: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """IoU ``(B, K)`` of boxes read as inclusive pixel corners (``area = (x2 - x1 + 1)(y2 - y1 + 1)``):
    torchvision's all-pairs ``box_iou`` of the boxes grown by one pixel to the right and bottom."""
    grow = torch.tensor([0.0, 0.0, 1.0, 1.0])
    return ops.box_iou(boxes + grow, gt + grow)


# --------------------------------------------------------------------------- boxes: the metrics

def iou_curve(maps: torch.Tensor, gt_boxes: torch.Tensor, thresholds=None, *, components: str = "largest",
              convention: str = "exact") -> torch.Tensor:
    """Best IoU with the ground truth of each image at each threshold: ``(N, T)``.

    ``convention="exact"`` (the default) gives exactly :func:`iou_curve_plain`, the definition,
    computed by a run-length engine (``wsl_lib._sweep``) that labels the components of every
    threshold at once: on chapter 6's size, 1,000 maps of 64 x 64 and 100 thresholds, it is
    about 20 times faster (measured with one thread: 0.7 s against 16 s for either
    ``components``), which chapter 6, sweeping several sets of maps, needs to fit its budget.

    ``convention="wsolevaluation"`` reproduces the numbers of Choe et al.'s released code
    (``evaluation.py`` of clovaai/wsolevaluation), with OpenCV as it does. It differs from the
    definition in three ways:

    1. the map is cast to ``uint8`` (``int(255 * score)``, truncated) and kept where it is
       *strictly above* ``int(tau * max)``, so the thresholds move to steps of 1/255;
    2. regions are OpenCV contours: the largest one is chosen by ``cv2.contourArea``, the area
       of the polygon through its boundary pixels' centres (a one-pixel-wide line has area 0, a
       ring includes its hole), and ``cv2.RETR_TREE`` adds the contour of every hole as a
       candidate for ``components="all"``;
    3. a box is ``(x, y, x + w, y + h)`` from ``cv2.boundingRect``, an exclusive far corner (as
       in :mod:`wsl_lib.boxes`, and as the ground-truth boxes of its own metadata), clipped to
       ``(W - 1, H - 1)``; but IoU reads both boxes as *inclusive* corners
       (``area = (x2 - x1 + 1)(y2 - y1 + 1)``). Both boxes grow by one pixel: an exact match
       still scores 1, a 10 x 10 box shifted by 2 pixels scores 99/143 instead of 80/120, and a
       box at the right or bottom border, clipped while the ground truth is not, scores 110/121
       instead of 1. An empty region gives the box ``(0, 0, 0, 0)``, which covers one pixel.

    The maps are used in double precision, as the reference code requires.

    Examples:
        >>> maps = torch.zeros(1, 8, 8)
        >>> maps[0, 2:6, 2:6] = 1.0                  # a 4 x 4 square ...
        >>> maps[0, 3, 3] = 0.4                      # ... with one weaker pixel
        >>> gt = torch.tensor([[2.0, 2.0, 6.0, 6.0]])
        >>> iou_curve(maps, gt, [0.3, 0.5])          # at 0.5 the weaker pixel is out, the box the same
        tensor([[1., 1.]])
    """
    gt = _check_box_inputs(maps, gt_boxes, components)
    check_choice("convention", convention, CONVENTIONS)
    thresholds = _check_thresholds(thresholds)
    if convention == "wsolevaluation":
        return _wsolevaluation_curve(maps, gt, thresholds, components)
    return sweep_ious(maps, gt, thresholds, components)


def box_accuracy(maps: torch.Tensor, gt_boxes: torch.Tensor, threshold: float, *, iou_threshold: float = 0.5,
                 components: str = "largest") -> float:
    """``BoxAcc(tau, delta)`` at one threshold ``tau`` (an absolute value of maps in [0, 1]) and one IoU level ``delta``.

    Derived in chapter 6.
    """
    check_number("threshold", threshold, low=0.0, high=1.0)
    check_number("iou_threshold", iou_threshold, low=0.0, high=1.0, low_open=True)
    ious = iou_curve(maps, gt_boxes, torch.tensor([float(threshold)]), components=components)
    return float((ious[:, 0] >= iou_threshold).float().mean())


class MaxBoxAccuracy(NamedTuple):
    """Result of :func:`max_box_accuracy`: the value and, per IoU level, its best accuracy and threshold.

    Chapter 3 uses it first; chapter 6 derives it.
    """
    value: float                 # mean over the IoU levels of the best accuracy
    per_iou: dict                # IoU level (rounded to 4 decimals: 0.3, not 0.30000001) -> max of BoxAcc
    best_threshold: dict         # IoU level (as in per_iou) -> the threshold that reached it (the lowest, if tied)
    thresholds: torch.Tensor     # (T,)
    curve: torch.Tensor          # (T, D): BoxAcc at each threshold and IoU level


def max_box_accuracy(maps: torch.Tensor, gt_boxes: torch.Tensor, thresholds=None, *,
                     iou_thresholds=(0.5,), components: str = "largest",
                     convention: str = "exact") -> MaxBoxAccuracy:
    """``MaxBoxAcc``: the best box accuracy over a sweep of thresholds, for each IoU level.

    ``maps`` ``(N, H, W)`` in [0, 1], ``gt_boxes`` ``(N, 4)`` or ``(N, K, 4)``. With the defaults
    this is Choe et al.'s MaxBoxAcc (largest component, IoU 0.5); :func:`max_box_accuracy_v2`
    gives MaxBoxAccV2. Of tied thresholds the lowest is reported. ``convention`` as in
    :func:`iou_curve`.

    Used first in chapter 3 (chapter 4 sweeps thresholds with it); derived in chapter 6.

    Examples:
        >>> maps = torch.zeros(2, 8, 8)
        >>> maps[0, 2:6, 2:6] = 1.0                  # on the object
        >>> maps[1, 0:2, 0:2] = 1.0                  # beside it
        >>> gt = torch.tensor([[2.0, 2.0, 6.0, 6.0]]).repeat(2, 1)
        >>> result = max_box_accuracy(maps, gt)
        >>> result.value, result.best_threshold
        (0.5, {0.5: 0.01})
    """
    deltas = torch.as_tensor(iou_thresholds, dtype=torch.float32).flatten()
    check_tensor("iou_thresholds", deltas, finite=True)
    if bool((deltas <= 0).any() or (deltas > 1).any()):
        raise ValueError(f"iou_thresholds: expected values in (0, 1], got {deltas.tolist()}")
    thresholds = _check_thresholds(thresholds)
    ious = iou_curve(maps, gt_boxes, thresholds, components=components, convention=convention)
    curve = (ious[:, :, None] >= deltas).float().mean(0)              # (T, D)
    best = curve.max(0)                                                # first maximum: the lowest threshold
    per_iou = {round(float(d), 4): float(v) for d, v in zip(deltas, best.values)}
    best_tau = {round(float(d), 4): float(thresholds[j]) for d, j in zip(deltas, best.indices)}
    return MaxBoxAccuracy(float(best.values.mean()), per_iou, best_tau, thresholds, curve)


def max_box_accuracy_v2(maps: torch.Tensor, gt_boxes: torch.Tensor, thresholds=None, *,
                        convention: str = "exact") -> MaxBoxAccuracy:
    """``MaxBoxAccV2``: IoU levels 0.3, 0.5 and 0.7, every component's box a candidate.

    Derived in chapter 6; chapter 9 uses it too.
    """
    return max_box_accuracy(maps, gt_boxes, thresholds, iou_thresholds=(0.3, 0.5, 0.7), components="all",
                            convention=convention)


# --------------------------------------------------------------------------- pixels

def pixel_precision_recall(maps: torch.Tensor, masks: torch.Tensor, thresholds=None, *, ignore=None):
    """Pixel precision and recall ``(T,)`` at each threshold, over all pixels of all images pooled.

    ``PxPrec(tau) = |s >= tau and T = 1| / |s >= tau|``, ``PxRec(tau) = |s >= tau and T = 1| / |T = 1|``,
    for maps ``(N, H, W)`` in [0, 1] and masks ``(N, H, W)`` bool. ``ignore`` (optional,
    ``(N, H, W)`` bool) marks pixels left out of both counts, as OpenImages' masks mark
    pixels of unknown label. Where no pixel is at or above ``tau`` the precision is defined as 1
    (its recall is 0).

    Derived in chapter 6.
    """
    _check_maps(maps)
    check_tensor("masks", masks, ndim=3, kind="bool")
    if masks.shape != maps.shape:
        raise ValueError(f"masks: expected the shape of maps {tuple(maps.shape)}, got {tuple(masks.shape)}")
    keep = torch.ones_like(masks, device="cpu")
    if ignore is not None:
        check_tensor("ignore", ignore, ndim=3, kind="bool")
        if ignore.shape != maps.shape:
            raise ValueError(f"ignore: expected the shape of maps {tuple(maps.shape)}, got {tuple(ignore.shape)}")
        keep = ~ignore.cpu()
    truth = masks.cpu()[keep]
    if not bool(truth.any()):
        raise ValueError("masks: expected at least one foreground pixel that is not ignored, got none "
                         "(recall is undefined)")
    thresholds = _check_thresholds(thresholds)
    # a pixel of score s is at or above the thresholds 0..bin-1, where bin = #(thresholds <= s)
    bins = torch.bucketize(maps.detach().cpu()[keep], thresholds.to(maps.dtype), right=True)
    n = len(thresholds)
    hist_all = torch.bincount(bins, minlength=n + 1).double()
    hist_pos = torch.bincount(bins[truth], minlength=n + 1).double()
    # number of pixels with score >= thresholds[l]: those in bins l+1 .. n
    predicted = hist_all.flip(0).cumsum(0).flip(0)[1:]
    true_pos = hist_pos.flip(0).cumsum(0).flip(0)[1:]
    precision = torch.where(predicted > 0, true_pos / predicted.clamp(min=1), 1.0)
    recall = true_pos / truth.sum()
    return precision, recall


def pixel_average_precision(maps: torch.Tensor, masks: torch.Tensor, thresholds=None, *, ignore=None) -> float:
    """``PxAP = sum_l PxPrec(tau_l) (PxRec(tau_l) - PxRec(tau_{l+1}))``, thresholds increasing, recall 0 past the last.

    Arguments as in :func:`pixel_precision_recall`. A map that is 0 everywhere puts every pixel
    at the threshold 0 only: recall 1 at precision ``|T = 1| / |pixels|``, so an all-true mask
    gives exactly 1.0.

    Derived in chapter 6, which computes it through :func:`wsol_scores`.
    """
    precision, recall = pixel_precision_recall(maps, masks, thresholds, ignore=ignore)
    recall_drop = recall - torch.cat([recall[1:], recall.new_zeros(1)])
    return float((precision * recall_drop).sum())


class WSOLScores(NamedTuple):
    """Result of :func:`wsol_scores`.

    Derived in chapter 6.
    """
    max_box_acc_v2: float        # MaxBoxAccV2, in [0, 1]
    pxap: float                  # PxAP, in [0, 1]
    boxes: MaxBoxAccuracy        # the full MaxBoxAccV2 result (per IoU level, best thresholds, curve)


def wsol_scores(maps: torch.Tensor, gt_boxes: torch.Tensor, masks: torch.Tensor, thresholds=None) -> WSOLScores:
    """MaxBoxAccV2 and PxAP of score maps ``(N, H, W)`` in [0, 1], with the same thresholds for both (chapter 6)."""
    boxes = max_box_accuracy_v2(maps, gt_boxes, thresholds)
    return WSOLScores(boxes.value, pixel_average_precision(maps, masks, thresholds), boxes)


# --------------------------------------------------------------------------- segmentation

UNLABELLED = ("miss", "skip")


def _check_label_maps(predicted, target, num_classes, ignore_index):
    check_number("num_classes", num_classes, low=1, integer=True)
    check_number("ignore_index", ignore_index, integer=True)
    if 0 <= ignore_index < num_classes:
        raise ValueError(f"ignore_index: expected a value that is not a label in [0, {num_classes - 1}], got "
                         f"{ignore_index} (with num_classes={num_classes}, class {ignore_index} would be ignored)")
    for name, x in (("predicted", predicted), ("target", target)):
        check_tensor(name, x, ndim=3, kind="int", nonempty=False)
        check_class_indices(name, x, num_classes, ignore_index=ignore_index)
    if predicted.shape != target.shape:
        raise ValueError(f"predicted: expected the shape of target {tuple(target.shape)}, got {tuple(predicted.shape)}")


def confusion_matrix(predicted: torch.Tensor, target: torch.Tensor, num_classes: int, *,
                     ignore_index: int = IGNORE_INDEX) -> torch.Tensor:
    """Pixel counts ``(K, K)`` int64: entry ``[t, p]`` counts pixels of true label ``t`` predicted ``p``.

    ``predicted`` and ``target`` are label maps ``(N, H, W)`` with values in ``[0, K)``, ``K =
    num_classes`` (background included), or ``ignore_index``. A pixel whose target is
    ``ignore_index`` is not counted. A pixel *predicted* ``ignore_index`` has no column here:
    :func:`mean_iou` counts it as a miss of its true label (or skips it, if asked).

    Derived in chapter 5.
    """
    _check_label_maps(predicted, target, num_classes, ignore_index)
    keep = (predicted != ignore_index) & (target != ignore_index)
    pairs = target[keep].long() * num_classes + predicted[keep].long().to(target.device)
    return torch.bincount(pairs.cpu(), minlength=num_classes * num_classes).view(num_classes, num_classes)


def iou_per_class(confusion: torch.Tensor, missed: torch.Tensor | None = None) -> torch.Tensor:
    """IoU of each label, ``TP / (TP + FP + FN)``, from a confusion matrix ``(K, K)`` -> ``(K,)`` float64.

    ``missed`` ``(K,)`` (optional) counts, per true label, pixels that got no label at all; they
    are false negatives. A label that is neither in the target nor predicted has no IoU: its
    entry is NaN, and :func:`mean_iou` leaves it out.

    Derived in chapter 5.
    """
    check_tensor("confusion", confusion, ndim=2, kind="int")
    if confusion.shape[0] != confusion.shape[1]:
        raise ValueError(f"confusion: expected a square matrix, got shape {tuple(confusion.shape)}")
    if bool((confusion < 0).any()):
        raise ValueError("confusion: expected pixel counts >= 0, got a negative entry")
    confusion = confusion.double()
    tp = confusion.diagonal()
    union = confusion.sum(0) + confusion.sum(1) - tp
    if missed is not None:
        check_tensor("missed", missed, shape=(len(confusion),), kind="int")
        if bool((missed < 0).any()):
            raise ValueError("missed: expected pixel counts >= 0, got a negative entry")
        union = union + missed.double().cpu()
    return torch.where(union > 0, tp / union.clamp(min=1), torch.nan)


def mean_iou(predicted: torch.Tensor, target: torch.Tensor, num_classes: int, *,
             ignore_index: int = IGNORE_INDEX, unlabelled: str = "miss") -> float:
    """Mean IoU over the labels (background included) that occur in ``target`` or ``predicted``.

    ``predicted`` and ``target`` ``(N, H, W)`` as in :func:`confusion_matrix`. The IoU of each
    label is computed over all pixels of all images together (as on PASCAL VOC), then averaged
    over labels. Target pixels equal to ``ignore_index`` are not counted. A pixel *predicted*
    ``ignore_index`` (no label) is, with ``unlabelled="miss"`` (the default, as in mmseg,
    torchmetrics and the VOC devkit), a miss of its true label; with ``"skip"`` it is left out,
    which measures a pseudo-mask on the pixels it labels only. NaN when no pixel is counted.

    Derived in chapter 5.

    Examples:
        >>> target = torch.tensor([[[1, 1, 1, 1]]])
        >>> mean_iou(torch.tensor([[[1, 1, 255, 255]]]), target, 2)
        0.5
        >>> mean_iou(torch.tensor([[[1, 1, 255, 255]]]), target, 2, unlabelled="skip")
        1.0
    """
    check_choice("unlabelled", unlabelled, UNLABELLED)
    confusion = confusion_matrix(predicted, target, num_classes, ignore_index=ignore_index)
    missed = None
    if unlabelled == "miss":
        no_label = (predicted == ignore_index) & (target != ignore_index)
        missed = torch.bincount(target[no_label].long().cpu(), minlength=num_classes)
    iou = iou_per_class(confusion, missed)
    present = ~torch.isnan(iou)
    return float(iou[present].mean()) if bool(present.any()) else float("nan")
