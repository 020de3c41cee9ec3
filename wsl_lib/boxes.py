"""Box geometry: boxes from masks and back, overlap, IoU.

Every box in wsl_lib is ``(x1, y1, x2, y2)`` in pixel-edge coordinates, ``x2`` and ``y2``
exclusive, ``0 <= x1 <= x2`` and ``0 <= y1 <= y2``: pixel ``(row i, column j)`` covers
``[j, j + 1) x [i, i + 1)``, so the box of a single pixel is ``(j, i, j + 1, i + 1)`` and a
box's area is its number of pixels. ``(0, 0, 0, 0)`` is the *empty box*: it is what an empty
mask gives, and its IoU with anything is 0.

(``torchvision.ops.masks_to_boxes`` returns the index of the last pixel instead, an inclusive
corner; the reference code of Choe et al. mixes the two, see :mod:`wsl_lib.metrics`.)

IoU is defined in the first look and used from chapter 1 on; chapter 4 derives boxes from maps.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
import torch
import torchvision.ops as ops

from ._checks import describe, check_boxes, check_number, check_same_length, check_size, check_tensor
from .conventions import EIGHT_CONNECTED

__all__ = ["best_iou", "box_coverage", "boxes_to_masks", "mask_components", "masks_to_boxes", "paired_box_iou", "part_boxes"]


def masks_to_boxes(masks: torch.Tensor) -> torch.Tensor:
    """Bounding boxes ``(M, 4)`` of masks ``(M, H, W)`` bool (the box convention of this module).

    ``torchvision.ops.masks_to_boxes`` gives the index of the last pixel; adding 1 to ``x2``
    and ``y2`` turns it into the far edge. An empty mask gives the empty box ``(0, 0, 0, 0)``.

    Used by :mod:`wsl_lib.data` for every dataset's boxes; chapter 4 calls it as step 5 of the CAM
    paper's rule.
    """
    check_tensor("masks", masks, ndim=3, kind="bool", nonempty=False)
    boxes = ops.masks_to_boxes(masks)
    present = masks.flatten(1).any(1, keepdim=True)
    return torch.where(present, boxes + torch.tensor([0.0, 0.0, 1.0, 1.0], device=masks.device), 0.0)


def mask_components(mask: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, int, int]], int]:
    """The 8-connected components of one mask ``(H, W)`` bool (a NumPy array), with their boxes.

    Returns ``(labels, boxes, largest)``: ``labels`` ``(H, W)`` int, 0 off the mask and
    ``1..n`` on the components, numbered in raster order of their first pixels
    (``scipy.ndimage.label`` with :data:`wsl_lib.conventions.EIGHT_CONNECTED`); ``boxes``, the
    box of each component in that order (``find_objects``, this module's convention); and
    ``largest``, the label of the component with the most pixels (of several as large, the
    first). An empty mask gives ``(zeros, [], 0)``.

    The one place where wsl_lib labels components: the CAM paper's rule (chapter 4's
    :func:`wsl_lib.localize.largest_component` and ``candidate_boxes``) and the box metrics'
    definition (chapter 6's :func:`wsl_lib.metrics.iou_curve_plain`) call it.
    """
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_ or mask.ndim != 2:
        raise ValueError(f"mask: expected a NumPy array (H, W) of bool, got {describe(mask)}")
    labels, count = ndi.label(mask, structure=EIGHT_CONNECTED)
    if count == 0:
        return labels, [], 0
    boxes = [(s[1].start, s[0].start, s[1].stop, s[0].stop) for s in ndi.find_objects(labels)]
    largest = 1 + int(np.bincount(labels.ravel())[1:].argmax())      # argmax: the first of the largest
    return labels, boxes, largest


def boxes_to_masks(boxes: torch.Tensor, size) -> torch.Tensor:
    """Masks ``(N, H, W)`` bool that are true on the pixels whose *centre* lies in each box ``(N, 4)``.

    The inverse of :func:`masks_to_boxes` for boxes on pixel edges; a box with fractional
    corners (a regressor's output) covers the pixels whose centre ``(j + 0.5, i + 0.5)`` it
    contains: ``x1 <= j + 0.5 < x2`` and ``y1 <= i + 0.5 < y2`` (a centre on the left or top edge
    is inside, on the right or bottom edge outside). ``size`` is ``(H, W)``. An empty box gives
    an empty mask.

    Used first in the first look; chapter 6 turns predicted boxes into score maps with it.
    """
    check_boxes("boxes", boxes)
    h, w = check_size("size", size)
    boxes = boxes.detach().float()
    ys = torch.arange(h, dtype=torch.float32, device=boxes.device) + 0.5
    xs = torch.arange(w, dtype=torch.float32, device=boxes.device) + 0.5
    inside_x = (xs[None] >= boxes[:, 0:1]) & (xs[None] < boxes[:, 2:3])          # (N, W)
    inside_y = (ys[None] >= boxes[:, 1:2]) & (ys[None] < boxes[:, 3:4])          # (N, H)
    return inside_y[:, :, None] & inside_x[:, None, :]


def _paired_intersection(boxes_a: torch.Tensor, boxes_b: torch.Tensor) -> torch.Tensor:
    """Area of the overlap of each pair of boxes: ``(N, 4)`` and ``(N, 4)`` -> ``(N,)`` (callers check the boxes)."""
    top_left = torch.maximum(boxes_a[:, :2], boxes_b[:, :2])
    bottom_right = torch.minimum(boxes_a[:, 2:], boxes_b[:, 2:])
    return (bottom_right - top_left).clamp(min=0).prod(1)


def paired_box_iou(boxes_a: torch.Tensor, boxes_b: torch.Tensor) -> torch.Tensor:
    """IoU of each pair of boxes: ``(N, 4)`` and ``(N, 4)`` -> ``(N,)``; 0 when both boxes are empty.

    (``torchvision.ops.box_iou`` gives all ``N x M`` pairs instead, and NaN for two empty boxes.)

    Used first in the first look, which defines IoU; chapter 4 scores boxes with it step by step.
    """
    check_boxes("boxes_a", boxes_a)
    check_boxes("boxes_b", boxes_b)
    check_same_length(boxes_a=boxes_a, boxes_b=boxes_b)
    inter = _paired_intersection(boxes_a, boxes_b)
    union = ops.box_area(boxes_a) + ops.box_area(boxes_b) - inter
    return torch.where(union > 0, inter / union.clamp(min=1e-12), 0.0)


def best_iou(boxes: torch.Tensor, gt_boxes: torch.Tensor) -> torch.Tensor:
    """IoU ``(N,)`` of each predicted box ``(N, 4)`` with the best-matching of its ground-truth boxes.

    ``gt_boxes`` is ``(N, 4)`` (one object per image) or ``(N, K, 4)`` (K objects per image).

    Used by :func:`wsl_lib.localize.localization_accuracy` from the first look on; chapter 4 calls
    it directly.
    """
    check_boxes("boxes", boxes)
    check_boxes("gt_boxes", gt_boxes, ndim=(2, 3))
    check_same_length(boxes=boxes, gt_boxes=gt_boxes)
    if gt_boxes.ndim == 2:
        return paired_box_iou(boxes, gt_boxes)
    k = gt_boxes.shape[1]
    return paired_box_iou(boxes.repeat_interleave(k, 0), gt_boxes.reshape(-1, 4)).view(-1, k).amax(1)


def box_coverage(boxes: torch.Tensor, gt_boxes: torch.Tensor):
    """How a predicted box ``(N, 4)`` sits on its ground-truth box ``(N, 4)``: ``(inside (N,), covered (N,))``.

    ``inside`` is the fraction of the predicted box's area that lies in the ground-truth box,
    ``covered`` the fraction of the ground-truth box that the prediction covers. A box on a
    *part* of the object has ``inside`` near 1 and ``covered`` well below 1. An empty
    predicted box has ``inside = 0``; an empty ground-truth box has ``covered = 0``.

    Used by chapter 4's :func:`wsl_lib.localize.failure_kinds`; chapter 7's Hide-and-Seek section (7.9) calls it
    directly.
    """
    check_boxes("boxes", boxes)
    check_boxes("gt_boxes", gt_boxes)
    check_same_length(boxes=boxes, gt_boxes=gt_boxes)
    boxes, gt_boxes = boxes.float(), gt_boxes.float().to(boxes.device)
    inter = _paired_intersection(boxes, gt_boxes)
    area, gt_area = ops.box_area(boxes), ops.box_area(gt_boxes)
    inside = torch.where(area > 0, inter / area.clamp(min=1e-12), 0.0)
    covered = torch.where(gt_area > 0, inter / gt_area.clamp(min=1e-12), 0.0)
    return inside, covered


def part_boxes(boxes: torch.Tensor, gt_boxes: torch.Tensor, *, inside: float = 0.8,
               iou_threshold: float = 0.5) -> torch.Tensor:
    """Which predicted boxes ``(N, 4)`` are *part boxes* of their ground-truth boxes ``(N, 4)``: ``(N,)`` bool.

    A part box lies (at least the fraction ``inside`` of its area) in the ground-truth box and
    still fails, with IoU below ``iou_threshold``: the box of a map that found only the most
    discriminative part of the object. This is the one definition of the book: chapter 4's
    failure kind "part only" (:func:`wsl_lib.localize.failure_kinds`) and chapter 7's share of
    part boxes both call it. An empty predicted box lies nowhere, so it is never a part box.

    Examples:
        >>> gt = torch.tensor([[10.0, 10.0, 30.0, 30.0]]).repeat(3, 1)
        >>> part_boxes(torch.tensor([[12.0, 12, 20, 20], [10.0, 10, 30, 30], [40.0, 40, 50, 50]]), gt)
        tensor([ True, False, False])
    """
    check_number("inside", inside, low=0.0, high=1.0, low_open=True)
    check_number("iou_threshold", iou_threshold, low=0.0, high=1.0, low_open=True)
    share_inside, _ = box_coverage(boxes, gt_boxes)
    return (share_inside >= inside) & (paired_box_iou(boxes, gt_boxes) < iou_threshold)
