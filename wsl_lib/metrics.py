"""Localization metrics that do not depend on one lucky threshold (Choe et al., CVPR 2020).

Score maps are normalized to [0, 1] per image (``wsl_lib.cam.normalize(maps, "minmax")``)
and thresholded at absolute values ``tau``. With ``delta`` an IoU level:

* ``BoxAcc(tau, delta)``: the fraction of images for which a box from the map
  thresholded at ``tau`` has IoU >= ``delta`` with a ground-truth box.
* ``MaxBoxAcc(delta)``: the best ``BoxAcc(tau, delta)`` over the thresholds; the box is
  that of the largest connected component, and ``delta = 0.5``.
* ``MaxBoxAccV2``: the mean of ``MaxBoxAcc(delta)`` over ``delta`` in 0.3, 0.5 and 0.7, each
  level with its own best threshold, where the box of *every* connected component is a
  candidate and the best match counts.
* ``PxAP``: with the exact masks, pool all pixels and take the area under the
  pixel precision-recall curve traced by the thresholds.

The thresholds default to ``0.00, 0.01, ..., 0.99`` (100 of them, as in the paper).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.ndimage as ndi
import torch

from ._checks import check_boxes, check_choice, check_number, check_same_length, check_tensor
from .localize import EIGHT_CONNECTED, best_iou

COMPONENTS = ("largest", "all")


def default_thresholds(step: float = 0.01) -> torch.Tensor:
    """Thresholds ``0, step, 2 step, ...`` below 1: ``(T,)`` float64."""
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
    if bool((maps < 0).any() or (maps > 1).any()):
        raise ValueError("maps: expected score maps normalized to [0, 1] "
                         "(wsl_lib.cam.normalize(maps, 'minmax')), got values outside [0, 1]")


# 8-connectivity within each 2-D slice of a stack, and no connection between slices
_SLICEWISE_8 = np.zeros((3, 3, 3), dtype=bool)
_SLICEWISE_8[1] = True


def component_boxes(masks: np.ndarray) -> tuple:
    """The 8-connected components of every mask of a stack ``(M, H, W)`` bool, in one pass.

    Returns ``(boxes (B, 4), areas (B,), owner (B,))``: each component's box (pixel edges),
    its number of pixels, and the index of the mask it belongs to.
    """
    labels, n = ndi.label(masks, structure=_SLICEWISE_8)
    slices = ndi.find_objects(labels)
    boxes = np.array([(s[2].start, s[1].start, s[2].stop, s[1].stop) for s in slices], dtype=np.float32)
    owner = np.array([s[0].start for s in slices], dtype=np.int64)
    areas = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    return boxes.reshape(n, 4), areas, owner


def iou_curve(maps: torch.Tensor, gt_boxes: torch.Tensor, thresholds=None, components: str = "largest",
              chunk_pixels: int = 2 ** 24):
    """Best IoU with the ground truth of each image at each threshold: ``(N, T)``.

    For each map ``(H, W)`` and threshold ``tau``: the region ``map >= tau``, its 8-connected
    components, their boxes (only the largest component's with ``components="largest"``,
    every one with ``"all"``), and the highest IoU of a candidate box with a ground-truth box
    (``gt_boxes`` ``(N, 4)`` or ``(N, K, 4)``). An empty region scores 0.

    All thresholds of a group of images are labelled in one ``scipy.ndimage.label`` call on
    the stack of their ``N * T`` masks, about ``chunk_pixels`` pixels at a time.
    """
    _check_maps(maps)
    check_boxes("gt_boxes", gt_boxes, ndim=(2, 3))
    check_same_length(maps=maps, gt_boxes=gt_boxes)
    check_choice("components", components, COMPONENTS)
    thresholds = _check_thresholds(thresholds)
    n, h, w = maps.shape
    t = len(thresholds)
    gt = gt_boxes.detach().reshape(n, -1, 4).cpu().float()             # (N, K, 4)
    # compare in the maps' own precision, so that a value of 0.35 is at or above a threshold of 0.35
    scores, taus = maps.detach().cpu().numpy(), thresholds.to(maps.dtype).numpy()
    ious = torch.zeros(n * t)
    step = max(1, chunk_pixels // (t * h * w))
    for lo in range(0, n, step):
        stack = scores[lo:lo + step, None] >= taus[None, :, None, None]  # (c, T, H, W)
        boxes, areas, owner = component_boxes(stack.reshape(-1, h, w))
        if len(boxes) == 0:
            continue
        boxes, areas, owner = torch.from_numpy(boxes), torch.from_numpy(areas), torch.from_numpy(owner) + lo * t
        if components == "largest":
            # per mask, the first component (in scan order) of the largest area
            biggest = torch.zeros(n * t, dtype=areas.dtype).scatter_reduce(0, owner, areas, "amax")
            index = torch.arange(len(areas))
            is_biggest = areas == biggest[owner]
            first = torch.full((n * t,), len(areas)).scatter_reduce(0, owner[is_biggest], index[is_biggest], "amin")
            owner = torch.unique(owner)
            boxes = boxes[first[owner]]
        candidate_iou = best_iou(boxes, gt[owner // t])                  # gt (B, K, 4)
        ious.scatter_reduce_(0, owner, candidate_iou, reduce="amax")
    return ious.view(n, t)


def box_accuracy(maps: torch.Tensor, gt_boxes: torch.Tensor, threshold: float, *, iou_threshold: float = 0.5,
                 components: str = "largest") -> float:
    """``BoxAcc(tau, delta)`` at one threshold ``tau`` and one IoU level ``delta``."""
    check_number("threshold", threshold, low=0.0, high=1.0)
    check_number("iou_threshold", iou_threshold, low=0.0, high=1.0, low_open=True)
    ious = iou_curve(maps, gt_boxes, torch.tensor([float(threshold)]), components)
    return float((ious[:, 0] >= iou_threshold).float().mean())


class MaxBoxAccuracy(NamedTuple):
    """Result of :func:`max_box_accuracy`: the value and, per IoU level, its best accuracy and threshold."""
    value: float                 # mean over the IoU levels of the best accuracy
    per_iou: dict                # IoU level -> max over thresholds of BoxAcc
    best_threshold: dict         # IoU level -> the threshold that reached it (the lowest, if tied)
    thresholds: torch.Tensor     # (T,)
    curve: torch.Tensor          # (T, D): BoxAcc at each threshold and IoU level


def max_box_accuracy(maps: torch.Tensor, gt_boxes: torch.Tensor, thresholds=None, *,
                     iou_thresholds=(0.5,), components: str = "largest") -> MaxBoxAccuracy:
    """``MaxBoxAcc``: the best box accuracy over a sweep of thresholds, for each IoU level.

    With the defaults this is Choe et al.'s MaxBoxAcc (largest component, IoU 0.5);
    :func:`max_box_accuracy_v2` gives MaxBoxAccV2.
    """
    deltas = torch.as_tensor(iou_thresholds, dtype=torch.float32).flatten()
    check_tensor("iou_thresholds", deltas, finite=True)
    if bool((deltas <= 0).any() or (deltas > 1).any()):
        raise ValueError(f"iou_thresholds: expected values in (0, 1], got {deltas.tolist()}")
    thresholds = _check_thresholds(thresholds)
    ious = iou_curve(maps, gt_boxes, thresholds, components)
    curve = (ious[:, :, None] >= deltas).float().mean(0)              # (T, D)
    best = curve.max(0)                                                # first maximum: the lowest threshold
    per_iou = {round(float(d), 4): float(v) for d, v in zip(deltas, best.values)}
    best_tau = {round(float(d), 4): float(thresholds[j]) for d, j in zip(deltas, best.indices)}
    return MaxBoxAccuracy(float(best.values.mean()), per_iou, best_tau, thresholds, curve)


def max_box_accuracy_v2(maps: torch.Tensor, gt_boxes: torch.Tensor, thresholds=None) -> MaxBoxAccuracy:
    """``MaxBoxAccV2``: IoU levels 0.3, 0.5 and 0.7, every component's box a candidate."""
    return max_box_accuracy(maps, gt_boxes, thresholds, iou_thresholds=(0.3, 0.5, 0.7), components="all")


def pixel_precision_recall(maps: torch.Tensor, masks: torch.Tensor, thresholds=None):
    """Pixel precision and recall ``(T,)`` at each threshold, over all pixels of all images pooled.

    ``PxPrec(tau) = |s >= tau and T = 1| / |s >= tau|``, ``PxRec(tau) = |s >= tau and T = 1| / |T = 1|``.
    Where no pixel is at or above ``tau`` the precision is defined as 1 (its recall is 0).
    """
    _check_maps(maps)
    check_tensor("masks", masks, ndim=3, kind="bool")
    if masks.shape != maps.shape:
        raise ValueError(f"masks: expected the shape of maps {tuple(maps.shape)}, got {tuple(masks.shape)}")
    if not bool(masks.any()):
        raise ValueError("masks: expected at least one foreground pixel, got empty masks (recall is undefined)")
    thresholds = _check_thresholds(thresholds)
    # a pixel of score s is at or above the thresholds 0..bin-1, where bin = #(thresholds <= s)
    bins = torch.bucketize(maps.detach().cpu().flatten(), thresholds.to(maps.dtype), right=True)
    truth = masks.cpu().flatten()
    n = len(thresholds)
    hist_all = torch.bincount(bins, minlength=n + 1).double()
    hist_pos = torch.bincount(bins[truth], minlength=n + 1).double()
    # number of pixels with score >= thresholds[l]: those in bins l+1 .. n
    predicted = hist_all.flip(0).cumsum(0).flip(0)[1:]
    true_pos = hist_pos.flip(0).cumsum(0).flip(0)[1:]
    precision = torch.where(predicted > 0, true_pos / predicted.clamp(min=1), 1.0)
    recall = true_pos / truth.sum()
    return precision, recall


def pixel_average_precision(maps: torch.Tensor, masks: torch.Tensor, thresholds=None) -> float:
    """``PxAP = sum_l PxPrec(tau_l) (PxRec(tau_l) - PxRec(tau_{l+1}))``, thresholds increasing, recall 0 past the last."""
    precision, recall = pixel_precision_recall(maps, masks, thresholds)
    recall_drop = recall - torch.cat([recall[1:], recall.new_zeros(1)])
    return float((precision * recall_drop).sum())


# --------------------------------------------------------------------------- chapter 6: baselines and a report

def centre_gaussian_maps(n: int, size, sigma: float | None = None) -> torch.Tensor:
    """The centre-Gaussian baseline: ``n`` copies of one image-independent map ``(n, H, W)`` in [0, 1].

    ``exp(-d^2 / (2 sigma^2))`` of the distance ``d`` of each pixel centre to the image centre,
    min-max normalized. ``sigma`` defaults to a quarter of the smaller side. Thresholding it at
    any ``tau`` gives one centred disc, so its box accuracy does not depend on ``sigma``.
    """
    check_number("n", n, low=1, integer=True)
    if (not isinstance(size, (tuple, list, torch.Size)) or len(size) != 2
            or not all(isinstance(s, int) and s > 0 for s in size)):
        raise ValueError(f"size: expected (height, width) as two positive ints, got {size!r}")
    h, w = size
    sigma = min(h, w) / 4 if sigma is None else sigma
    check_number("sigma", sigma, low=0.0, low_open=True)
    y = torch.arange(h, dtype=torch.float32)[:, None] + 0.5 - h / 2
    x = torch.arange(w, dtype=torch.float32)[None, :] + 0.5 - w / 2
    g = torch.exp(-(x ** 2 + y ** 2) / (2 * sigma ** 2))
    span = g.max() - g.min()
    g = (g - g.min()) / span if span > 0 else torch.zeros_like(g)
    return g.expand(n, h, w).clone()


def box_maps(boxes: torch.Tensor, size) -> torch.Tensor:
    """Score maps ``(N, H, W)`` that are 1 on the pixels whose centre lies in each box ``(N, 4)``, 0 elsewhere.

    Turns a box predictor (a fully supervised localizer, a fixed box) into a map, so that it is
    scored by the same metrics as the CAMs: at any threshold in (0, 1] its only component is
    the box itself (rounded to pixels). An empty box gives an all-zero map.
    """
    check_boxes("boxes", boxes)
    if (not isinstance(size, (tuple, list, torch.Size)) or len(size) != 2
            or not all(isinstance(s, int) and s > 0 for s in size)):
        raise ValueError(f"size: expected (height, width) as two positive ints, got {size!r}")
    h, w = size
    boxes = boxes.detach().cpu().float()
    ys = torch.arange(h, dtype=torch.float32) + 0.5
    xs = torch.arange(w, dtype=torch.float32) + 0.5
    inside_x = (xs[None] >= boxes[:, 0:1]) & (xs[None] < boxes[:, 2:3])          # (N, W)
    inside_y = (ys[None] >= boxes[:, 1:2]) & (ys[None] < boxes[:, 3:4])          # (N, H)
    return (inside_y[:, :, None] & inside_x[:, None, :]).float()


def box_coverage(boxes: torch.Tensor, gt_boxes: torch.Tensor):
    """How a predicted box ``(N, 4)`` sits on its ground-truth box ``(N, 4)``: ``(inside (N,), covered (N,))``.

    ``inside`` is the fraction of the predicted box's area that lies in the ground-truth box,
    ``covered`` the fraction of the ground-truth box that the prediction covers. A box on a
    *part* of the object has ``inside`` near 1 and ``covered`` well below 1. An empty
    predicted box has ``inside = 0``; an empty ground-truth box has ``covered = 0``.
    """
    check_boxes("boxes", boxes)
    check_boxes("gt_boxes", gt_boxes)
    check_same_length(boxes=boxes, gt_boxes=gt_boxes)
    top_left = torch.maximum(boxes[:, :2], gt_boxes[:, :2])
    bottom_right = torch.minimum(boxes[:, 2:], gt_boxes[:, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(1)
    area = (boxes[:, 2:] - boxes[:, :2]).prod(1)
    gt_area = (gt_boxes[:, 2:] - gt_boxes[:, :2]).prod(1)
    inside = torch.where(area > 0, inter / area.clamp(min=1e-12), 0.0)
    covered = torch.where(gt_area > 0, inter / gt_area.clamp(min=1e-12), 0.0)
    return inside, covered


class WSOLScores(NamedTuple):
    """Result of :func:`wsol_scores`."""
    max_box_acc_v2: float        # MaxBoxAccV2, in [0, 1]
    pxap: float                  # PxAP, in [0, 1]
    boxes: MaxBoxAccuracy        # the full MaxBoxAccV2 result (per IoU level, best thresholds, curve)


def wsol_scores(maps: torch.Tensor, gt_boxes: torch.Tensor, masks: torch.Tensor, thresholds=None) -> WSOLScores:
    """MaxBoxAccV2 and PxAP of score maps ``(N, H, W)`` in [0, 1], with the same thresholds for both."""
    boxes = max_box_accuracy_v2(maps, gt_boxes, thresholds)
    return WSOLScores(boxes.value, pixel_average_precision(maps, masks, thresholds), boxes)
