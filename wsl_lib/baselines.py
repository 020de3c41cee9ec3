"""Localizers that ignore the image: what any method worth its labels must beat.

* :func:`centred_boxes`: one box of the mean size, centred in the image (chapters 1 and 2).
* :func:`centre_gaussian_maps`: one centred Gaussian score map, to be scored like a CAM by
  :mod:`wsl_lib.metrics` (chapter 6). Thresholded at any level it is a centred disc, so it
  stands for the family of centred shapes, not for every image-independent guess.

Boxes follow :mod:`wsl_lib.boxes`; a box predictor becomes a score map with
``wsl_lib.boxes.boxes_to_masks(boxes, size).float()``.
"""

from __future__ import annotations

import torch

from ._checks import check_boxes, check_number, check_size
from .cam import normalize

__all__ = ["centre_gaussian_maps", "centred_boxes"]


def centred_boxes(reference_boxes: torch.Tensor, n: int, image_size) -> torch.Tensor:
    """A trivial localizer: ``n`` copies ``(n, 4)`` of one box centred in the image, whose width and
    height are the mean width and height of ``reference_boxes`` ``(M, 4)`` (e.g. a validation split's).

    ``image_size`` is ``(H, W)``. It ignores the image: any localizer worth its labels must beat it.

    Derived in chapter 1; the first look computes the same box by hand.
    """
    check_boxes("reference_boxes", reference_boxes)
    if len(reference_boxes) == 0:
        raise ValueError("reference_boxes: expected at least one box, got none")
    check_number("n", n, low=1, integer=True)
    image_size = check_size("image_size", image_size)
    size = (reference_boxes[:, 2:] - reference_boxes[:, :2]).float().mean(0)           # mean (width, height)
    centre = torch.tensor([image_size[1] / 2, image_size[0] / 2])
    return torch.cat([centre - size / 2, centre + size / 2]).expand(n, 4).clone()


def centre_gaussian_maps(n: int, size, sigma: float | None = None) -> torch.Tensor:
    """The centre-Gaussian baseline: ``n`` copies of one image-independent map ``(n, H, W)`` in [0, 1].

    ``exp(-d^2 / (2 sigma^2))`` of the distance ``d`` of each pixel centre to the image centre,
    min-max normalized. ``sigma`` defaults to a quarter of the smaller side. Thresholding it at
    any ``tau`` gives one centred disc, so its box accuracy does not depend on ``sigma``.

    Derived in chapter 6.
    """
    check_number("n", n, low=1, integer=True)
    h, w = check_size("size", size)
    sigma = min(h, w) / 4 if sigma is None else sigma
    check_number("sigma", sigma, low=0.0, low_open=True)
    y = torch.arange(h, dtype=torch.float32)[:, None] + 0.5 - h / 2
    x = torch.arange(w, dtype=torch.float32)[None, :] + 0.5 - w / 2
    g = normalize(torch.exp(-(x ** 2 + y ** 2) / (2 * sigma ** 2)), "minmax")
    return g.expand(n, h, w).clone()
