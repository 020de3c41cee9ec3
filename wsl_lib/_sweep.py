"""The fast path of :func:`wsl_lib.metrics.iou_curve`: connected components of every threshold at once.

Private: the definition a reader should read is :func:`wsl_lib.metrics.iou_curve_plain`
(label each thresholded map with ``scipy.ndimage``); this module computes the same numbers
(tested on random maps, ties and all) in a fraction of the time, which chapter 6's budget
needs: it sweeps 100 thresholds over thousands of maps several times.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from .boxes import best_iou

__all__ = ["sweep_ious"]

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


def _touching_runs(keys: np.ndarray, stride: int):
    """Which runs touch a run of the row above (same map, same threshold): a ``(R, R)`` sparse graph.

    ``keys`` ``(2 R,)`` as :func:`_runs` returns them, ``stride`` the padded row length. With
    8-connectivity, run ``[a, b)`` of the row above touches run ``[s, e)`` when ``b >= s`` and
    ``a <= e`` (one row up: minus ``stride``). Starts and stops are both sorted (the runs of
    one row do not overlap), so the runs touching one run are a contiguous range, and one
    binary search in the sorted keys finds both ends: the number of keys below ``s - stride``
    is twice the number of stops below it (give or take the start of a run that crosses it),
    and likewise for starts up to ``e - stride``.
    """
    query = keys - stride
    query[1::2] += 1                                           # "a <= e" is "a < e + 1"
    at = np.searchsorted(keys, query)                          # number of keys below each query
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


def sweep_ious(maps: torch.Tensor, gt: torch.Tensor, thresholds: torch.Tensor, components: str,
               chunk_pixels: int = 2 ** 24) -> torch.Tensor:
    """:func:`wsl_lib.metrics.iou_curve` on checked inputs: maps ``(N, H, W)``, gt ``(N, K, 4)`` -> ``(N, T)``.

    Groups of images of at most ``chunk_pixels`` mask pixels (images x thresholds x H x W) and
    of about ``_GROUP_PIXELS`` map pixels are processed together, so that a group's runs stay in
    the CPU cache. The result does not depend on the grouping.
    """
    n, h, w = maps.shape
    t = len(thresholds)
    # compare in the maps' own precision, so that a value of 0.35 is at or above a threshold of 0.35
    scores, taus = maps.detach().cpu().numpy(), thresholds.to(maps.dtype).numpy()
    step = max(1, min(chunk_pixels // (t * h * w), _GROUP_PIXELS // (h * w)))
    found = []                                                         # (boxes, image, threshold index)
    for lo in range(0, n, step):
        chunk = scores[lo:lo + step]
        levels = np.searchsorted(taus, chunk, side="right").astype(np.int32)   # #(taus <= score)
        boxes, areas, mask = _components(levels, t)                    # mask = l * len(chunk) + i
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
