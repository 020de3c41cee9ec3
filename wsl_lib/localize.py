"""From a map to a bounding box, and how to score boxes (the CAM paper's rule).

The CAM paper's rule for one map ``M``: keep the pixels whose value is at least
``fraction * max(M)`` (``fraction = 0.2`` in the paper, a fraction of each map's own
maximum; :mod:`wsl_lib.metrics` instead thresholds min-max normalized maps at absolute
values), take the largest 8-connected component of that region, and return its bounding box.

Boxes follow :mod:`wsl_lib.boxes`: ``(x1, y1, x2, y2)``, pixel edges, ``x2`` and ``y2``
exclusive. A map with no positive maximum (all zeros, all negative) or a constant map
selects nothing, and its box is the empty box ``(0, 0, 0, 0)``, whose IoU with anything is 0.
Derived in chapter 4; chapter 1 uses it first.
"""

from __future__ import annotations

import torch

from ._checks import check_boxes, check_class_indices, check_number, check_same_length, check_tensor
from .boxes import best_iou, box_coverage, paired_box_iou, mask_components, masks_to_boxes, part_boxes

__all__ = [
    "boxes_from_maps", "candidate_boxes", "choose_fraction", "CODE_RULE_FRACTIONS", "failure_kinds",
    "FAILURE_KINDS", "largest_component", "localization_accuracy", "threshold_maps"
]


def largest_component(masks: torch.Tensor) -> torch.Tensor:
    """Keep only the largest 8-connected component of each mask ``(N, H, W)`` bool.

    Ties go to the component met first in row-major order; an empty mask stays empty.

    Derived in chapter 4 (step 4 of the CAM paper's rule).
    """
    check_tensor("masks", masks, ndim=3, kind="bool")
    out = torch.zeros_like(masks, device="cpu")
    for i, mask in enumerate(masks.cpu().numpy()):
        labels, _, largest = mask_components(mask)
        if largest:
            out[i] = torch.from_numpy(labels == largest)
    return out.to(masks.device)


def threshold_maps(maps: torch.Tensor, fraction: float = 0.2) -> torch.Tensor:
    """Regions ``maps >= fraction * max`` of each map ``(N, H, W)`` -> bool ``(N, H, W)``.

    A pixel exactly at ``fraction * max`` is kept. Maps whose maximum is not positive, and
    constant maps, give empty regions.

    Used first in chapter 3; derived in chapter 4 (step 3 of the CAM paper's rule).
    """
    check_tensor("maps", maps, ndim=3, kind="float", finite=True)
    check_number("fraction", fraction, low=0.0, high=1.0, low_open=True, high_open=True)
    peak = maps.amax(dim=(1, 2), keepdim=True)
    informative = (peak > 0) & (maps.amin(dim=(1, 2), keepdim=True) < peak)
    return (maps >= fraction * peak) & informative


def boxes_from_maps(maps: torch.Tensor, fraction: float = 0.2) -> torch.Tensor:
    """The CAM paper's rule: maps ``(N, H, W)`` -> boxes ``(N, 4)`` of the largest region at or above
    ``fraction * max``. Upsample CAMs to the image size first (:func:`wsl_lib.cam.upsample`).

    Used first in the first look; derived in chapter 4.

    Examples:
        >>> maps = torch.zeros(1, 6, 6)
        >>> maps[0, 1:3, 1:4] = 1.0                  # a 2 x 3 blob ...
        >>> maps[0, 5, 5] = 0.5                      # ... and a single weaker pixel
        >>> boxes_from_maps(maps, fraction=0.2)
        tensor([[1., 1., 4., 3.]])
    """
    return masks_to_boxes(largest_component(threshold_maps(maps, fraction)))


def localization_accuracy(boxes: torch.Tensor, gt_boxes: torch.Tensor, *, logits: torch.Tensor | None = None,
                          labels: torch.Tensor | None = None, k: int | None = None,
                          iou_threshold: float = 0.5) -> float:
    """Fraction of images localized correctly.

    ``boxes`` ``(N, 4)`` are the boxes from the map of each image's *true* class.

    * GT-known (``k=None``): the box has IoU >= ``iou_threshold`` with a ground-truth box. No classes
      enter it: passing ``logits`` or ``labels`` with ``k=None`` raises ``ValueError``.
    * Top-k (``k`` given, with ``logits (N, C)`` and ``labels (N,)``): the true class is among
      the ``k`` highest logits *and* its box has IoU >= ``iou_threshold``. This is the CAM paper's
      top-k localization: of the k guesses (class, box), one has the right class and a good box.

    Used first in the first look; derived in chapter 4.
    """
    check_number("iou_threshold", iou_threshold, low=0.0, high=1.0, low_open=True)
    correct = best_iou(boxes, gt_boxes) >= iou_threshold
    if k is None:
        if logits is not None or labels is not None:
            raise ValueError("k: expected an int with logits and labels (top-k localization), got None: "
                             "GT-known accuracy (k=None) uses no classes, so pass neither logits nor labels")
        return float(correct.float().mean())
    check_number("k", k, low=1, integer=True)
    check_tensor("logits", logits, ndim=2, kind="float")
    check_tensor("labels", labels, ndim=1, kind="int")
    check_class_indices("labels", labels, logits.shape[-1])
    check_same_length(boxes=boxes, logits=logits, labels=labels)
    if k > logits.shape[1]:
        raise ValueError(f"k: expected at most the number of classes {logits.shape[1]}, got {k}")
    in_top_k = (logits.topk(k, dim=1).indices == labels.to(logits.device)[:, None]).any(1).cpu()
    return float((correct.cpu() & in_top_k).float().mean())


# --------------------------------------------------------------------------- the released code's rule

#: The thresholds of the CAM paper's released localization code, as fractions of each map's maximum
#: (it scales every map to 0..255 and thresholds at 20, 100 and 110).
CODE_RULE_FRACTIONS = (20 / 255, 100 / 255, 110 / 255)


def candidate_boxes(maps: torch.Tensor, fractions=CODE_RULE_FRACTIONS) -> torch.Tensor:
    """The released code's rule: boxes of *every* component at *several* thresholds, as candidate guesses.

    For each map ``(H, W)`` of ``maps`` ``(N, H, W)`` and each ``f`` of ``fractions`` (of the
    map's maximum, as in :func:`threshold_maps`), every 8-connected component of the region
    ``map >= f * max`` gives one box. (The released code also erodes the regions first; we do not.)

    Returns ``(N, B, 4)``: each image's boxes, fraction by fraction and in scan order within a
    fraction, padded with the empty box ``(0, 0, 0, 0)`` up to the largest count ``B`` (at least 1).
    An empty box has IoU 0 with anything, so ``best_iou(gt_boxes, candidates)`` (IoU is symmetric: each
    image's ground-truth box against its candidates, arguments swapped) scores the best
    candidate of each image.

    Derived in chapter 4 (the paper's text rule versus its code).
    """
    check_tensor("maps", maps, ndim=3, kind="float", finite=True)
    if not isinstance(fractions, (tuple, list)) or not fractions:
        raise ValueError(f"fractions: expected a non-empty tuple of numbers in (0, 1), got {fractions!r}")
    for f in fractions:
        check_number("fractions", f, low=0.0, high=1.0, low_open=True, high_open=True)
    regions = torch.stack([threshold_maps(maps, f) for f in fractions], 1).cpu().numpy()   # (N, F, H, W)
    per_image = []
    for stack in regions:
        found = []
        for mask in stack:
            found += mask_components(mask)[1]
        per_image.append(found)
    out = torch.zeros(len(per_image), max(1, max(len(f) for f in per_image)), 4)
    for i, found in enumerate(per_image):
        if found:
            out[i, :len(found)] = torch.tensor(found, dtype=torch.float32)
    return out.to(maps.device)


# --------------------------------------------------------------------------- failures, found automatically

#: The kinds of :func:`failure_kinds`, in the order of their codes.
FAILURE_KINDS = ("correct", "part only", "too large", "wrong class, right place", "missed")


def failure_kinds(boxes: torch.Tensor, gt_boxes: torch.Tensor, *, logits: torch.Tensor, labels: torch.Tensor,
                  predicted_boxes: torch.Tensor | None = None, iou_threshold: float = 0.5,
                  inside: float = 0.8, covers: float = 0.8) -> torch.Tensor:
    """Sort each image's localization into one of :data:`FAILURE_KINDS`; returns codes ``(N,)`` int64.

    ``boxes`` ``(N, 4)`` come from the map of each image's *true* class, ``predicted_boxes``
    ``(N, 4)`` (optional) from the map of its top-1 class; ``gt_boxes`` ``(N, 4)``,
    ``logits`` ``(N, C)``, ``labels`` ``(N,)``. With ``iou = IoU(boxes, gt_boxes)``, in this order:

    * code 0, ``"correct"``: top-1 class right and ``iou >= iou_threshold`` (a top-1 localization success);
    * code 3, ``"wrong class, right place"``: top-1 class wrong, but the true class's box or the
       predicted class's box has IoU >= ``iou_threshold``;
    * code 1, ``"part only"``: a part box (:func:`wsl_lib.boxes.part_boxes`): ``iou < iou_threshold``
       and at least ``inside`` of the box's area lies inside the ground-truth box (the map found
       only a discriminative part);
    * code 2, ``"too large"``: ``iou < iou_threshold`` and the box covers at least ``covers`` of the
       ground-truth box (it also covers much around the object, which then
       makes up less than half of it);
    * code 4, ``"missed"``: anything else (a box elsewhere, or an empty box).

    A top-1 correct image with a bad box is one of 1, 2 or 4, as is a misclassified image whose
    boxes are all bad (the kind then describes the true class's box).

    Derived in chapter 4.
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
    check_number("covers", covers, low=0.0, high=1.0, low_open=True)
    boxes, gt_boxes = boxes.detach().cpu().float(), gt_boxes.detach().cpu().float()
    iou = paired_box_iou(boxes, gt_boxes)
    top1_right = logits.detach().argmax(1).cpu() == labels.cpu()
    good = iou >= iou_threshold
    other_good = good if predicted_boxes is None else good | (paired_box_iou(predicted_boxes.detach().cpu().float(), gt_boxes)
                                                              >= iou_threshold)
    _, share_covered = box_coverage(boxes, gt_boxes)
    too_large = share_covered >= covers                # 0 for an empty ground-truth box
    codes = torch.full((len(boxes),), 4, dtype=torch.int64)
    codes[~good & too_large] = 2
    codes[part_boxes(boxes, gt_boxes, inside=inside, iou_threshold=iou_threshold)] = 1
    codes[~top1_right & other_good] = 3
    codes[top1_right & good] = 0
    return codes
# --------------------------------------------------------------------------- choosing the fraction

def choose_fraction(maps: torch.Tensor, gt_boxes: torch.Tensor, fractions) -> tuple:
    """Pick the fraction of :func:`boxes_from_maps` that localizes best on held-out data.

    ``maps`` ``(N, H, W)`` and ``gt_boxes`` ``(N, 4)`` come from a *validation* split, never the
    test split. ``fractions`` is a non-empty sequence of fractions in (0, 1). Returns
    ``(best_fraction, accuracies)``, with the GT-known localization accuracy of every
    fraction; ties go to the first. (Derived in chapter 4, charged in chapter 1.)
    """
    fractions = list(fractions)
    if not fractions:
        raise ValueError("fractions: expected at least one fraction, got none")
    for f in fractions:
        check_number("fractions", f, low=0.0, high=1.0, low_open=True, high_open=True)
    accuracies = [localization_accuracy(boxes_from_maps(maps, f), gt_boxes) for f in fractions]
    best = max(range(len(fractions)), key=accuracies.__getitem__)
    return fractions[best], accuracies
