"""Class activation maps (Zhou et al., CVPR 2016).

For a network whose last convolutional features ``f_k(x, y)`` are globally
average-pooled, ``F_k = (1/Z) sum_{x,y} f_k(x, y)``, and fed to a linear layer,
``S_c = sum_k w_k^c F_k + b_c``, the class activation map of class ``c`` is

    M_c(x, y) = sum_k w_k^c f_k(x, y),

and the class score is exactly the spatial mean of its map plus the bias:
``S_c = (1/Z) sum_{x,y} M_c(x, y) + b_c`` (:func:`cam_identity_gap`).

All maps of a batch come from one forward pass and one tensor product, on the
model's device. The rule of every function that reads a model's outputs (the maps here and in
:mod:`wsl_lib.gradcam`, :func:`wsl_lib.train.predict`): it puts the model in eval mode first, so
that batch normalization uses its running statistics and an image's map never depends on the
other images of the batch. Both modules share their argument
checks (in the private ``wsl_lib._checks``) and their last two steps, :func:`upsample` and :func:`normalize`.

Derived in chapter 3; the first look uses it first.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import (check_choice, check_class_indices, check_classes, check_dtype_matches, check_size,
                      check_tensor)

from .models import check_cam_ready

__all__ = ["NORMALIZATIONS", "cam_identity_gap", "class_activation_maps", "compute_cams", "normalize", "upsample"]

#: The normalizations of :func:`normalize`, by name.
NORMALIZATIONS = ("none", "max", "minmax")


def class_activation_maps(features: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """CAMs of every class: features ``(N, K, h, w)``, classifier weight ``(C, K)`` -> ``(N, C, h, w)``.

    One tensor product, ``M[n, c] = sum_k weight[c, k] * features[n, k]``. (The same
    number as a loop over channels or a 1x1 convolution with the weight as kernel.)

    Derived in chapter 3.
    """
    check_tensor("features", features, ndim=4, kind="float")
    check_tensor("weight", weight, ndim=2, kind="float")
    if weight.shape[1] != features.shape[1]:
        raise ValueError(f"weight: expected shape (C, {features.shape[1]}) to match the {features.shape[1]} "
                         f"feature channels, got shape {tuple(weight.shape)}")
    return torch.einsum("nkhw,ck->nchw", features, weight)


def upsample(maps: torch.Tensor, size) -> torch.Tensor:
    """Bilinear resize of maps ``(N, h, w)`` or ``(N, C, h, w)`` to ``size = (H, W)``.

    Used by :func:`compute_cams` from the first look on; chapter 4 calls it as step 2 of the CAM
    paper's rule.
    """
    check_tensor("maps", maps, ndim=(3, 4), kind="float")
    size = check_size("size", size)
    squeeze = maps.ndim == 3
    out = F.interpolate(maps[:, None] if squeeze else maps, size=tuple(size), mode="bilinear", align_corners=False)
    return out[:, 0] if squeeze else out


def normalize(maps: torch.Tensor, method: str = "minmax") -> torch.Tensor:
    """Normalize each map (the last two dimensions) of ``maps`` ``(..., H, W)``.

    * ``"none"``: unchanged.
    * ``"max"``: ``relu(M) / max(relu(M))``: negative evidence is cut, the peak is 1.
      A map with no positive value becomes all zeros.
    * ``"minmax"``: ``(M - min M) / (max M - min M)``, into [0, 1] (Choe et al.'s score map).
      A constant map (max = min) becomes all zeros.

    NaN or infinite values raise ``ValueError``: there is no meaningful map to return.

    Used first in the first look; derived in chapter 3 (negative evidence and normalization).
    """
    check_tensor("maps", maps, kind="float", finite=True)
    if maps.ndim < 2:
        raise ValueError(f"maps: expected at least 2 dimensions (..., H, W), got shape {tuple(maps.shape)}")
    check_choice("method", method, NORMALIZATIONS)
    if method == "none":
        return maps
    if method == "max":
        maps = maps.clamp(min=0)
        low = torch.zeros_like(maps[..., :1, :1])
    else:
        low = maps.amin(dim=(-2, -1), keepdim=True)
    span = maps.amax(dim=(-2, -1), keepdim=True) - low
    # where the span is 0 the map is flat (or has nothing positive): define it as all zeros
    return torch.where(span > 0, (maps - low) / span.clamp(min=torch.finfo(maps.dtype).tiny), 0.0)


def compute_cams(model: nn.Module, images: torch.Tensor, *, classes=None, size="input",
                 normalization: str = "none"):
    """Run ``model`` once and return its logits and class activation maps.

    Args:
        model: a CAM-ready model (``features`` and a linear ``classifier``, see :mod:`wsl_lib.models`).
        images: ``(N, 3, H, W)``; moved to the model's device.
        classes: ``None`` for the maps of every class, ``(N, C, h', w')``;
            ``"predicted"`` for the top-1 class of each image, or an int tensor ``(N,)``
            of one class per image (e.g. the labels), giving ``(N, h', w')``.
        size: ``"input"`` to upsample to ``(H, W)``, ``None`` to keep the feature
            resolution ``(h, w)``, or an explicit ``(H', W')``.
        normalization: ``"none"``, ``"max"`` or ``"minmax"`` (see :func:`normalize`),
            applied after upsampling.

    Returns:
        ``(logits (N, C), cams)``, both on the model's device.

    Examples:
        >>> model = wsl.models.SmallCNN(6, widths=(8, 8, 16, 16)).eval()
        >>> images = torch.rand(2, 3, 64, 64)
        >>> logits, cams = compute_cams(model, images, classes=torch.tensor([0, 3]))
        >>> tuple(logits.shape), tuple(cams.shape)
        ((2, 6), (2, 64, 64))
        >>> _, small = compute_cams(model, images, size=None)      # every class, at feature resolution
        >>> tuple(small.shape)
        (2, 6, 8, 8)

    Derived in chapter 3 (the first look uses it first).
    """
    check_cam_ready(model)
    check_tensor("images", images, ndim=4, kind="float")
    check_choice("normalization", normalization, NORMALIZATIONS)
    device = next(model.parameters()).device
    weight = model.classifier.weight                             # (C, K)
    check_dtype_matches("images", images, weight)
    images = images.to(device)
    check_classes(classes, images, every_class=True)
    if isinstance(classes, torch.Tensor):
        check_class_indices("classes", classes, weight.shape[0])
    model.eval()                                                 # the rule of every map function
    with torch.no_grad():
        features = model.features(images)                        # (N, K, h, w)
        logits = model.classifier(model.pool(features))
        if classes is None:
            cams = class_activation_maps(features, weight)       # (N, C, h, w)
        else:
            chosen = logits.argmax(1) if isinstance(classes, str) else classes.to(device)
            # only the chosen class's weights: (N, K) against (N, K, h, w)
            cams = torch.einsum("nkhw,nk->nhw", features, weight[chosen])
        if size is not None:
            cams = upsample(cams, images.shape[-2:] if size == "input" else size)
        return logits, normalize(cams, normalization)


def cam_identity_gap(model: nn.Module, images: torch.Tensor) -> float:
    """Largest ``|S_c - (mean_{x,y} M_c(x, y) + b_c)|`` over a batch and every class.

    Zero up to floating-point rounding for a GAP + linear model: the logit of each
    class is the spatial mean of its CAM plus the classifier's bias.

    Used first in the first look; derived in chapter 3.
    """
    check_cam_ready(model)
    logits, cams = compute_cams(model, images, size=None)
    bias = model.classifier.bias.detach() if model.classifier.bias is not None else torch.zeros_like(logits[0])
    return float((logits - (cams.mean(dim=(2, 3)) + bias)).abs().max())
