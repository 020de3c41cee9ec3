"""Probes of what a trained classifier uses: change the image where the truth is known, and watch the answer.

The generated datasets know exactly where each object is (its pixel mask), so an experiment
can remove the evidence and see whether the classifier still answers the same:

* :func:`paint_out`: the object painted out in the image's background colour (chapter 4's
  test of what the classifier sees when the object is gone; section 7.9 repeats it).

Plausibility (does a map match the object?) is scored in :mod:`wsl_lib.metrics`; the probes
here ask the other question, whether the network needs what the map shows.
"""

from __future__ import annotations

import torch

from ._checks import check_tensor

__all__ = ["paint_out"]


def paint_out(images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """The images with their objects painted out in each image's background colour.

    Chapter 4's test of what a classifier sees when the object is gone (section 7.9 repeats
    it): every masked pixel takes, channel by channel, the median of the same image's unmasked
    pixels (``torch.nanmedian``: the lower of the two middle values when their number is even).
    The silhouette becomes a flat patch of the surrounding colour; the clutter is untouched.

    Args:
        images: float ``(N, C, H, W)``.
        masks: bool ``(N, H, W)``, True on the pixels to paint out (a dataset's ``masks``).

    Returns:
        float ``(N, C, H, W)``, a new tensor. An image whose mask is empty comes back unchanged.

    Raises:
        ValueError: naming ``masks`` when it covers every pixel of an image, which leaves no
            background to take the colour from.
    """
    check_tensor("images", images, ndim=4, kind="float", finite=True)
    n, _, h, w = images.shape
    check_tensor("masks", masks, kind="bool", shape=(n, h, w))
    full = masks.flatten(1).all(1)
    if bool(full.any()):
        first = int(full.nonzero()[0])
        raise ValueError(f"masks: expected some unmasked pixels in every image, got image {first} "
                         "masked everywhere (no background colour to paint with)")
    background = torch.where(masks[:, None], torch.nan, images)  # (N, C, H, W), object removed
    fill = background.flatten(2).nanmedian(2).values  # (N, C): each image's background colour
    return torch.where(masks[:, None], fill[:, :, None, None], images)
