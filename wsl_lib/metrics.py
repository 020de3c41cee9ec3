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
import torch
import torchvision.ops as ops
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from ._checks import check_boxes, check_choice, check_number, check_same_length, check_tensor
from .localize import best_iou, _paired_intersection

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
    low, high = torch.aminmax(maps)                            # one pass
    if bool(low < 0) or bool(high > 1):
        raise ValueError("maps: expected score maps normalized to [0, 1] "
                         "(wsl_lib.cam.normalize(maps, 'minmax')), got values outside [0, 1]")


# ---------------------------------------------------------------------------------------------
# Connected components of every threshold at once, on run-length encoded rows.
#
# The masks {map >= tau} of one map are nested: a pixel above a threshold is above every lower
# one. So each pixel is summarized by its *level*, the number of thresholds at or below its
# score, and the mask of threshold index l is {level > l}. Instead of labelling T masks pixel
# by pixel, we work on *runs*, maximal stretches of a row inside a mask:
#   1. the runs of a row at every threshold follow from the level changes between neighbouring
#      pixels: going up from level a to level b starts one run at each index a..b-1;
#   2. two runs of adjacent rows and the same mask touch (8-connectivity) when their column
#      ranges overlap or meet at a corner; sorting keys finds those pairs;
#   3. the components are the connected groups of touching runs (scipy.sparse.csgraph), and a
#      component's box and area are a min / max / sum over its runs.
# The work grows with the number of runs, about half the number of pixels for a smooth map
# whatever the number of thresholds, instead of thresholds x pixels.
# ---------------------------------------------------------------------------------------------


def _levels(scores: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """The level of each score, ``#(taus <= score)``: ``(c, H, W)`` -> ``(c, H, W)`` int32.

    ``taus`` ``(T,)`` is non-decreasing and in the scores' dtype. This equals
    ``np.searchsorted(taus, scores, side="right")``, faster: ``4 T`` equal cells over [0, 1]
    give, for the cell of a score, the number of thresholds in earlier cells (all of them below
    the score), and one comparison per threshold sharing a cell adds those of its own cell.
    """
    cells = min(4 * len(taus), 2 ** 14)

    def cell(x):  # monotone, and the same rounding for scores and thresholds (same dtype)
        return (x * cells).astype(np.int32)

    tau_cell = cell(taus)
    earlier = np.searchsorted(tau_cell, np.arange(cells + 1), side="left").astype(np.int32)
    most = int(np.bincount(tau_cell).max())                 # thresholds sharing one cell, at most
    padded = np.concatenate([taus, np.full(most, np.inf, dtype=taus.dtype)])
    first = earlier[cell(scores)]
    levels = first + (scores >= padded[first])                # a threshold of a later cell is above
    for j in range(1, most):
        levels += scores >= padded[first + j]
    return levels


def _runs(levels: np.ndarray, n_levels: int) -> np.ndarray:
    """Every run of every mask ``{levels > l}``, ``l < n_levels``, of a stack ``(c, H, W)`` int.

    A run is stored as two keys ``l * size + position``: its first position and the position
    just after its last pixel, where positions are flat indices into the stack padded with one
    empty column on each side and one empty row on top of each map, ``(c, H + 1, W + 2)``
    (``size`` elements): the padding closes every run within its row, and the same column
    of the row above is ``W + 2`` positions earlier. Returns the keys ``(2 R,)`` sorted, so
    that runs come by threshold index, then in raster order: starts at even indices, the
    matching stops at odd ones.
    """
    c, h, w = levels.shape
    size = c * (h + 1) * (w + 2)
    key_type = _key_type(n_levels, size)
    padded = np.zeros((c, h + 1, w + 2), dtype=key_type)
    padded[:, 1:, 1:-1] = levels
    flat = padded.ravel()
    # a change from level a at position p to level b at p + 1 starts (b > a) or stops (b < a)
    # one run at p + 1 for each threshold index min(a, b) .. max(a, b) - 1
    step = flat[1:] - flat[:-1]
    p = np.flatnonzero(step)                                   # (C,)
    if len(p) == 0:
        return np.zeros(0, dtype=key_type)
    count = np.abs(step[p])
    base = p.astype(key_type) + 1 + (flat[p] + np.minimum(step[p], 0)) * size
    # one key per (change, threshold index): change i gives count[i] keys base[i], base[i] +
    # size, base[i] + 2 size, ...: the running sum of increments that are `size`, except at
    # each change's first key, where the increment jumps from the previous change's last key
    increment = np.full(count.sum(), size, dtype=key_type)   # (2 R,)
    last = base + (count - 1) * size
    increment[np.cumsum(count) - count] = base - np.r_[0, last[:-1]]
    keys = np.cumsum(increment, dtype=key_type)
    # at one threshold index, starts and stops alternate along the flat stack, a start first
    keys.sort()
    return keys


def _key_type(n_levels: int, size: int):
    """int32 keys when twice ``threshold index * size + position`` fits (faster), else int64."""
    return np.int32 if n_levels * size < 2 ** 30 else np.int64


def _count_below(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """How many ``keys`` are below each query, both sorted: ``(Q,)``, as ``np.searchsorted(keys, queries)``.

    A merge instead of a binary search per query: doubled keys made odd and doubled queries
    (even) are sorted together by a stable sort, which merges two sorted halves in linear
    time; the i-th even value's position minus i is the number of keys before it.
    """
    merged = np.concatenate([keys * 2 + 1, queries * 2])
    merged.sort(kind="stable")
    where = np.flatnonzero((merged & 1) == 0)
    return where - np.arange(len(where))


def _touching_runs(keys: np.ndarray, stride: int):
    """Which runs touch a run of the row above (same map, same threshold): a ``(R, R)`` sparse graph.

    ``keys`` ``(2 R,)`` as :func:`_runs` returns them, ``stride`` the padded row length. With
    8-connectivity, run ``[a, b)`` of the row above touches run ``[s, e)`` when ``b >= s`` and
    ``a <= e`` (one row up: minus ``stride``). Starts and stops are both sorted (the runs of
    one row do not overlap), so the runs touching one run are a contiguous range, and one
    merge with the sorted keys finds both ends: the number of keys below ``s - stride``
    is twice the number of stops below it (give or take the start of a run that crosses it),
    and likewise for starts up to ``e - stride``.
    """
    query = keys - stride
    query[1::2] += 1                                           # "a <= e" is "a < e + 1"
    at = _count_below(keys, query)
    first = at[0::2] // 2                                      # runs above with b < s come before
    last = (at[1::2] + 1) // 2                                 # runs above with a <= e come before
    count = np.maximum(last - first, 0)
    # row i of the graph lists the runs first[i] .. last[i] - 1 (compressed sparse rows)
    indptr = np.zeros(len(first) + 1, dtype=np.int64)
    np.cumsum(count, out=indptr[1:])
    indices = np.arange(indptr[-1]) + np.repeat(first - indptr[:-1], count)
    return csr_matrix((np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(len(first),) * 2)


def _first_members(label: np.ndarray, k: int) -> np.ndarray:
    """Index of the first element of each of ``k`` groups, from ``label`` ``(R,)`` in ``0 .. k - 1``: ``(k,)``.

    ``connected_components`` numbers the components in the order of their first node, and then
    each first node is where the running maximum of the labels grows; any other numbering
    falls back to a scatter-min.
    """
    running = np.maximum.accumulate(label)
    grows = np.r_[0, np.flatnonzero(running[1:] != running[:-1]) + 1]
    if len(grows) == k:
        return grows
    first = np.full(k, len(label))
    np.minimum.at(first, label, np.arange(len(label)))
    return first


def _components(levels: np.ndarray, n_levels: int) -> tuple:
    """The 8-connected components of every mask ``{levels > l}`` of a stack ``(c, H, W)`` int.

    Returns ``(boxes (K, 4) float32, areas (K,) int64, mask (K,) int64)``: each component's box
    (pixel edges), number of pixels, and mask index ``l * c + map index``; sorted by mask, then
    by the raster order of the components' first pixels (the order of ``scipy.ndimage.label``).
    """
    c, h, w = levels.shape
    stride, size = w + 2, c * (h + 1) * (w + 2)
    keys = _runs(levels, n_levels)
    if len(keys) == 0:
        return np.zeros((0, 4), dtype=np.float32), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    start, stop = keys[0::2], keys[1::2]
    k, label = connected_components(_touching_runs(keys, stride), directed=False)
    # runs are in raster order within a mask, so a component's first run holds its first pixel
    # and its top row, and its last run its bottom row
    first = _first_members(label, k)
    last = np.zeros(k, dtype=np.int64)
    np.maximum.at(last, label, np.arange(len(label)))
    x0, x1 = np.full(k, stride, dtype=keys.dtype), np.zeros(k, dtype=keys.dtype)
    np.minimum.at(x0, label, start % stride)                   # padded columns (size is a multiple of stride)
    np.maximum.at(x1, label, stop % stride)
    areas = np.bincount(label, weights=stop - start, minlength=k).astype(np.int64)
    order = np.argsort(first)
    first, last, x0, x1, areas = first[order], last[order], x0[order], x1[order], areas[order]
    # decode keys: threshold index = key // size; padded row = position // stride, whose map is
    # row // (H + 1) and whose y is row % (H + 1) - 1
    level, top = np.divmod(start[first].astype(np.int64), size)
    top, bottom = top // stride, stop[last] % size // stride
    boxes = np.stack([x0 - 1, top % (h + 1) - 1, x1 - 1, bottom % (h + 1)], axis=1).astype(np.float32)
    return boxes, areas, level * c + top // (h + 1)


def _first_largest(areas: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Index of the largest component of each mask present, ``(M,)``; ties go to the first one.

    ``areas`` and ``mask`` ``(K,)`` are sorted by mask (as :func:`_components` returns them).
    """
    if len(areas) == 0:
        return np.zeros(0, dtype=np.int64)
    group = np.flatnonzero(np.r_[True, mask[1:] != mask[:-1]])         # first component of each mask
    biggest = np.maximum.reduceat(areas, group)
    is_biggest = np.flatnonzero(areas == np.repeat(biggest, np.diff(np.r_[group, len(areas)])))
    return is_biggest[np.r_[True, mask[is_biggest][1:] != mask[is_biggest][:-1]]]


# maps of about this many pixels are processed together: their runs stay in the CPU cache
_GROUP_PIXELS = 2 ** 17


def component_boxes(masks: np.ndarray) -> tuple:
    """The 8-connected components of every mask of a stack ``(M, H, W)`` bool, in one pass.

    Returns ``(boxes (B, 4), areas (B,), owner (B,))``: each component's box (pixel edges),
    its number of pixels, and the index of the mask it belongs to; sorted by mask, then by
    the raster order of each component's first pixel (as ``scipy.ndimage.label`` numbers them).
    """
    if not isinstance(masks, np.ndarray) or masks.dtype != bool:
        raise TypeError(f"masks: expected a bool NumPy array, got {getattr(masks, 'dtype', type(masks).__name__)}")
    if masks.ndim != 3:
        raise ValueError(f"masks: expected a stack (M, H, W), got shape {masks.shape}")
    return _components(masks.astype(np.int32), 1)


def iou_curve(maps: torch.Tensor, gt_boxes: torch.Tensor, thresholds=None, components: str = "largest",
              chunk_pixels: int = 2 ** 24):
    """Best IoU with the ground truth of each image at each threshold: ``(N, T)``.

    For each map ``(H, W)`` and threshold ``tau``: the region ``map >= tau``, its 8-connected
    components, their boxes (only the largest component's with ``components="largest"``,
    every one with ``"all"``), and the highest IoU of a candidate box with a ground-truth box
    (``gt_boxes`` ``(N, 4)`` or ``(N, K, 4)``). An empty region scores 0. The largest
    component is the one with the most pixels; of several as large, the one whose first pixel
    comes first in raster order (row by row, left to right).

    The components of all thresholds are found at once from the run-length encoded rows of
    each map (see the comment above :func:`_levels`), for groups of images of at most
    ``chunk_pixels`` mask pixels (images x thresholds x H x W) and of about ``_GROUP_PIXELS``
    map pixels, so that a group's runs stay in the CPU cache. The result does not depend on
    the grouping.
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
    step = max(1, min(chunk_pixels // (t * h * w), _GROUP_PIXELS // (h * w)))
    found = []                                                         # (boxes, image, threshold index)
    for lo in range(0, n, step):
        chunk = scores[lo:lo + step]
        boxes, areas, mask = _components(_levels(chunk, taus), t)       # mask = l * len(chunk) + i
        if components == "largest":
            keep = _first_largest(areas, mask)
            boxes, mask = boxes[keep], mask[keep]
        found.append((boxes, lo + mask % len(chunk), mask // len(chunk)))
    boxes, image, level = (torch.from_numpy(np.concatenate(parts)) for parts in zip(*found))
    ious = torch.zeros(n * t)
    if len(boxes):
        candidate_iou = best_iou(boxes, gt[image])                      # gt (B, K, 4)
        ious.scatter_reduce_(0, image * t + level, candidate_iou, reduce="amax")
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
    inter = _paired_intersection(boxes, gt_boxes)
    area, gt_area = ops.box_area(boxes), ops.box_area(gt_boxes)
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
