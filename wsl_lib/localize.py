"""From a map to a bounding box, and how to score boxes (the CAM paper's rule).

The CAM paper's rule for one map ``M``: keep the pixels whose value is at least
``threshold * max(M)`` (``threshold = 0.2`` in the paper), take the largest
8-connected component of that region, and return its bounding box.

Boxes are ``(x1, y1, x2, y2)`` in pixel-edge coordinates: pixel ``(row i, col j)``
covers ``[j, j + 1) x [i, i + 1)``, so a box's area is its number of pixels. A map
with no positive maximum (all zeros, all negative) or a constant map selects
nothing, and its box is the empty box ``(0, 0, 0, 0)``, whose IoU with anything is 0.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
import torch
import torchvision.ops as ops

from ._checks import check_boxes, check_number, check_same_length, check_tensor
from .data import masks_to_boxes  # noqa: F401  (part of this module's API: mask -> box)

EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)


def largest_component(masks: torch.Tensor) -> torch.Tensor:
    """Keep only the largest 8-connected component of each mask ``(N, H, W)`` bool.

    Ties go to the component met first in row-major order; an empty mask stays empty.
    """
    check_tensor("masks", masks, ndim=3, kind="bool")
    out = torch.zeros_like(masks, device="cpu")
    for i, mask in enumerate(masks.cpu().numpy()):
        labels, n = ndi.label(mask, structure=EIGHT_CONNECTED)
        if n:
            sizes = np.bincount(labels.ravel())[1:]
            out[i] = torch.from_numpy(labels == 1 + int(sizes.argmax()))
    return out.to(masks.device)


def threshold_maps(maps: torch.Tensor, threshold: float = 0.2) -> torch.Tensor:
    """Regions ``maps >= threshold * max`` of each map ``(N, H, W)`` -> bool ``(N, H, W)``.

    Maps whose maximum is not positive, and constant maps, give empty regions.
    """
    check_tensor("maps", maps, ndim=3, kind="float", finite=True)
    check_number("threshold", threshold, low=0.0, high=1.0, low_open=True, high_open=True)
    peak = maps.amax(dim=(1, 2), keepdim=True)
    informative = (peak > 0) & (maps.amin(dim=(1, 2), keepdim=True) < peak)
    return (maps >= threshold * peak) & informative


def boxes_from_maps(maps: torch.Tensor, threshold: float = 0.2) -> torch.Tensor:
    """The CAM paper's rule: maps ``(N, H, W)`` -> boxes ``(N, 4)`` of the largest region above
    ``threshold * max``. Upsample CAMs to the image size first (:func:`wsl_lib.cam.upsample`)."""
    return masks_to_boxes(largest_component(threshold_maps(maps, threshold)))


def _paired_intersection(boxes_a: torch.Tensor, boxes_b: torch.Tensor) -> torch.Tensor:
    """Area of the overlap of each pair of boxes: ``(N, 4)`` and ``(N, 4)`` -> ``(N,)`` (callers check the boxes)."""
    top_left = torch.maximum(boxes_a[:, :2], boxes_b[:, :2])
    bottom_right = torch.minimum(boxes_a[:, 2:], boxes_b[:, 2:])
    return (bottom_right - top_left).clamp(min=0).prod(1)


def box_iou(boxes_a: torch.Tensor, boxes_b: torch.Tensor) -> torch.Tensor:
    """IoU of each pair of boxes: ``(N, 4)`` and ``(N, 4)`` -> ``(N,)``; 0 when both boxes are empty.

    (``torchvision.ops.box_iou`` gives all ``N x M`` pairs instead, and NaN for two empty boxes.)
    """
    check_boxes("boxes_a", boxes_a)
    check_boxes("boxes_b", boxes_b)
    check_same_length(boxes_a=boxes_a, boxes_b=boxes_b)
    inter = _paired_intersection(boxes_a, boxes_b)
    union = ops.box_area(boxes_a) + ops.box_area(boxes_b) - inter
    return torch.where(union > 0, inter / union.clamp(min=1e-12), 0.0)


def best_iou(boxes: torch.Tensor, gt_boxes: torch.Tensor) -> torch.Tensor:
    """IoU of each predicted box ``(N, 4)`` with the best-matching of its ground-truth boxes.

    ``gt_boxes`` is ``(N, 4)`` (one object per image) or ``(N, K, 4)`` (K objects per image).
    """
    check_boxes("boxes", boxes)
    check_boxes("gt_boxes", gt_boxes, ndim=(2, 3))
    check_same_length(boxes=boxes, gt_boxes=gt_boxes)
    if gt_boxes.ndim == 2:
        return box_iou(boxes, gt_boxes)
    k = gt_boxes.shape[1]
    return box_iou(boxes.repeat_interleave(k, 0), gt_boxes.reshape(-1, 4)).view(-1, k).amax(1)


def localization_accuracy(boxes: torch.Tensor, gt_boxes: torch.Tensor, *, logits: torch.Tensor | None = None,
                          labels: torch.Tensor | None = None, k: int | None = None,
                          iou_threshold: float = 0.5) -> float:
    """Fraction of images localized correctly.

    ``boxes`` ``(N, 4)`` are the boxes from the map of each image's *true* class.

    * GT-known (``k=None``): the box has IoU >= ``iou_threshold`` with a ground-truth box.
    * Top-k (``k`` given, with ``logits (N, C)`` and ``labels (N,)``): the true class is among
      the ``k`` highest logits *and* its box has IoU >= ``iou_threshold``. This is the CAM paper's
      top-k localization: of the k guesses (class, box), one has the right class and a good box.
    """
    check_number("iou_threshold", iou_threshold, low=0.0, high=1.0, low_open=True)
    correct = best_iou(boxes, gt_boxes) >= iou_threshold
    if k is None:
        return float(correct.float().mean())
    check_number("k", k, low=1, integer=True)
    check_tensor("logits", logits, ndim=2, kind="float")
    check_tensor("labels", labels, ndim=1, kind="int")
    check_same_length(boxes=boxes, logits=logits, labels=labels)
    if k > logits.shape[1]:
        raise ValueError(f"k: expected at most the number of classes {logits.shape[1]}, got {k}")
    in_top_k = (logits.topk(k, dim=1).indices == labels.to(logits.device)[:, None]).any(1).cpu()
    return float((correct.cpu() & in_top_k).float().mean())


# --------------------------------------------------------------------------- the released code's rule

#: The thresholds of the CAM paper's released localization code, as fractions of each map's maximum
#: (it scales every map to 0..255 and thresholds at 20, 100 and 110).
CODE_RULE_THRESHOLDS = (20 / 255, 100 / 255, 110 / 255)


def candidate_boxes(maps: torch.Tensor, thresholds=CODE_RULE_THRESHOLDS) -> torch.Tensor:
    """The released code's rule: boxes of *every* component at *several* thresholds, as candidate guesses.

    For each map ``(H, W)`` of ``maps`` ``(N, H, W)`` and each ``t`` of ``thresholds`` (fractions of
    the map's maximum, as in :func:`threshold_maps`), every 8-connected component of the region
    ``map >= t * max`` gives one box. (The released code also erodes the regions first; we do not.)

    Returns ``(N, B, 4)``: each image's boxes, threshold by threshold and in scan order within a
    threshold, padded with the empty box ``(0, 0, 0, 0)`` up to the largest count ``B`` (at least 1).
    An empty box has IoU 0 with anything, so ``best_iou(gt_boxes, candidates)`` scores the best
    candidate of each image.
    """
    check_tensor("maps", maps, ndim=3, kind="float", finite=True)
    if not isinstance(thresholds, (tuple, list)) or not thresholds:
        raise ValueError(f"thresholds: expected a non-empty tuple of numbers in (0, 1), got {thresholds!r}")
    for t in thresholds:
        check_number("thresholds", t, low=0.0, high=1.0, low_open=True, high_open=True)
    regions = torch.stack([threshold_maps(maps, t) for t in thresholds], 1).cpu().numpy()   # (N, T, H, W)
    per_image = []
    for stack in regions:
        found = []
        for mask in stack:
            labels, n = ndi.label(mask, structure=EIGHT_CONNECTED)
            found += [(s[1].start, s[0].start, s[1].stop, s[0].stop) for s in ndi.find_objects(labels)]
        per_image.append(found)
    out = torch.zeros(len(per_image), max(1, max(len(f) for f in per_image)), 4)
    for i, found in enumerate(per_image):
        if found:
            out[i, :len(found)] = torch.tensor(found, dtype=torch.float32)
    return out.to(maps.device)


# --------------------------------------------------------------------------- failures, found automatically

#: The kinds of :func:`failure_kinds`, in the order of their codes.
FAILURE_KINDS = ("correct", "part only", "merged with clutter", "wrong class, right place", "missed")


def failure_kinds(boxes: torch.Tensor, gt_boxes: torch.Tensor, *, logits: torch.Tensor, labels: torch.Tensor,
                  predicted_boxes: torch.Tensor | None = None, iou_threshold: float = 0.5,
                  inside: float = 0.8) -> torch.Tensor:
    """Sort each image's localization into one of :data:`FAILURE_KINDS`; returns codes ``(N,)`` int64.

    ``boxes`` ``(N, 4)`` come from the map of each image's *true* class, ``predicted_boxes``
    ``(N, 4)`` (optional) from the map of its top-1 class; ``gt_boxes`` ``(N, 4)``,
    ``logits`` ``(N, C)``, ``labels`` ``(N,)``. With ``iou = IoU(boxes, gt_boxes)``, in this order:

    0. ``"correct"``: top-1 class right and ``iou >= iou_threshold`` (a top-1 localization success);
    3. ``"wrong class, right place"``: top-1 class wrong, but the true class's box or the
       predicted class's box has IoU >= ``iou_threshold``;
    1. ``"part only"``: ``iou < iou_threshold`` and at least ``inside`` of the box's area lies
       inside the ground-truth box (the map found only a discriminative part);
    2. ``"merged with clutter"``: ``iou < iou_threshold`` and at least ``inside`` of the
       ground-truth box lies inside the box (it also covers much around the object, which then
       makes up less than half of it);
    4. ``"missed"``: anything else (a box elsewhere, or an empty box).

    A top-1 correct image with a bad box is one of 1, 2 or 4, as is a misclassified image whose
    boxes are all bad (the kind then describes the true class's box).
    """
    check_boxes("boxes", boxes)
    check_boxes("gt_boxes", gt_boxes)
    check_tensor("logits", logits, ndim=2, kind="float")
    check_tensor("labels", labels, ndim=1, kind="int")
    check_same_length(boxes=boxes, gt_boxes=gt_boxes, logits=logits, labels=labels)
    if predicted_boxes is not None:
        check_boxes("predicted_boxes", predicted_boxes)
        check_same_length(boxes=boxes, predicted_boxes=predicted_boxes)
    check_number("iou_threshold", iou_threshold, low=0.0, high=1.0, low_open=True)
    check_number("inside", inside, low=0.0, high=1.0, low_open=True)
    boxes, gt_boxes = boxes.detach().cpu().float(), gt_boxes.detach().cpu().float()
    iou = box_iou(boxes, gt_boxes)
    top1_right = logits.detach().argmax(1).cpu() == labels.cpu()
    good = iou >= iou_threshold
    other_good = good if predicted_boxes is None else good | (box_iou(predicted_boxes.detach().cpu().float(), gt_boxes)
                                                              >= iou_threshold)
    inter = (torch.minimum(boxes[:, 2:], gt_boxes[:, 2:]) - torch.maximum(boxes[:, :2], gt_boxes[:, :2])
             ).clamp(min=0).prod(1)
    area, gt_area = ops.box_area(boxes), ops.box_area(gt_boxes)
    part = (area > 0) & (inter >= inside * area)
    merged = (gt_area > 0) & (inter >= inside * gt_area)
    codes = torch.full((len(boxes),), 4, dtype=torch.int64)
    codes[~good & merged] = 2
    codes[~good & part] = 1
    codes[~top1_right & other_good] = 3
    codes[top1_right & good] = 0
    return codes
# --------------------------------------------------------------------------- chapters 1 and 2

def centred_boxes(reference_boxes: torch.Tensor, n: int, image_size) -> torch.Tensor:
    """A trivial localizer: ``n`` copies ``(n, 4)`` of one box centred in the image, whose width and
    height are the mean width and height of ``reference_boxes`` ``(M, 4)`` (e.g. a validation split's).

    ``image_size`` is ``(H, W)``. It ignores the image: any localizer worth its labels must beat it.
    """
    check_boxes("reference_boxes", reference_boxes)
    if len(reference_boxes) == 0:
        raise ValueError("reference_boxes: expected at least one box, got none")
    check_number("n", n, low=1, integer=True)
    if (not isinstance(image_size, (tuple, list, torch.Size)) or len(image_size) != 2
            or not all(isinstance(s, int) and s > 0 for s in image_size)):
        raise ValueError(f"image_size: expected (height, width) as two positive ints, got {image_size!r}")
    size = (reference_boxes[:, 2:] - reference_boxes[:, :2]).float().mean(0)           # mean (width, height)
    centre = torch.tensor([image_size[1] / 2, image_size[0] / 2])
    return torch.cat([centre - size / 2, centre + size / 2]).expand(n, 4).clone()


def choose_threshold(maps: torch.Tensor, gt_boxes: torch.Tensor, candidates) -> tuple:
    """Pick the CAM threshold of :func:`boxes_from_maps` that localizes best on held-out data.

    ``maps`` ``(N, H, W)`` and ``gt_boxes`` ``(N, 4)`` come from a *validation* split, never the
    test split. ``candidates`` is a non-empty sequence of thresholds in (0, 1). Returns
    ``(best_threshold, accuracies)``, with the GT-known localization accuracy of every
    candidate; ties go to the first candidate.
    """
    candidates = list(candidates)
    if not candidates:
        raise ValueError("candidates: expected at least one threshold, got none")
    for t in candidates:
        check_number("candidates", t, low=0.0, high=1.0, low_open=True, high_open=True)
    accuracies = [localization_accuracy(boxes_from_maps(maps, t), gt_boxes) for t in candidates]
    best = max(range(len(candidates)), key=accuracies.__getitem__)
    return candidates[best], accuracies
