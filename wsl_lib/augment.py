"""Training-time augmentations against the discriminative-part problem.

A classifier trained with image labels only needs the most discriminative part of an
object, so its CAM often covers only that part. Hide-and-Seek (Singh and Lee, ICCV 2017)
hides random patches of each training image, so that the network cannot always rely on
the same part and must learn the others too.

Each function here returns an ``augment(x, y, generator) -> (x, y)`` callable for
:func:`wsl_lib.train.fit`, applied to each training batch ``x`` ``(N, 3, H, W)`` on the
training device, with ``generator`` a ``torch.Generator`` on that device (so runs are
reproducible). Nothing is applied at test time.

Derived in chapter 7 (Hide-and-Seek).
"""

from __future__ import annotations

import numbers
from typing import Callable

import torch
import torch.nn.functional as F

from ._checks import check_number, check_tensor

__all__ = ["hide_and_seek", "HIDE_AND_SEEK_GRIDS", "hide_patches"]

# The paper's patch sides on 224-pixel images, 16, 32, 44 and 56 pixels (7% to 25% of the side),
# as grids on 64-pixel images: patches of 4.6, 9.1, 12.8 and 16 pixels.
#: The patch grids of the book's Hide-and-Seek (g x g patches, one grid drawn per image).
HIDE_AND_SEEK_GRIDS = (14, 7, 5, 4)


def hide_patches(x: torch.Tensor, grid: int, p: float, fill, generator: torch.Generator) -> torch.Tensor:
    """Hide each cell of a ``grid x grid`` division of each image of ``x`` ``(N, C, H, W)`` with probability ``p``.

    Hidden pixels take the value ``fill`` (a number, or a tensor ``(C,)`` of per-channel values).
    ``H`` and ``W`` need not be multiples of ``grid``: the cells are the nearest-neighbour
    upsampling of a ``grid x grid`` mask. Returns a new tensor; ``x`` is not modified.

    Used by :func:`hide_and_seek`, the augmentation of chapter 7's Hide-and-Seek section (7.9).
    """
    check_tensor("x", x, ndim=4, kind="float")
    check_number("grid", grid, low=1, integer=True)
    check_number("p", p, low=0.0, high=1.0)
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator: expected a torch.Generator, got {type(generator).__name__}")
    n, c, h, w = x.shape
    hidden = torch.rand(n, 1, grid, grid, generator=generator, device=generator.device) < p
    hidden = F.interpolate(hidden.float().to(x.device), size=(h, w), mode="nearest").bool()
    fill = torch.as_tensor(fill, dtype=x.dtype, device=x.device)
    if fill.ndim == 1:
        if len(fill) != c:
            raise ValueError(f"fill: expected a number or {c} per-channel values, got {len(fill)} values")
        fill = fill[None, :, None, None]
    elif fill.ndim != 0:
        raise ValueError(f"fill: expected a number or a (C,) tensor, got shape {tuple(fill.shape)}")
    return torch.where(hidden, fill, x)


def hide_and_seek(grid=4, p: float = 0.5, fill=0.5) -> Callable:
    """Hide-and-Seek as an ``augment(x, y, generator)`` callable for :func:`wsl_lib.train.fit`.

    Splits each training image into ``grid x grid`` patches and hides each with probability
    ``p`` (0.5 in the paper), filling it with ``fill`` (the paper uses the mean pixel value of
    the training set; 0.5 is the mean of our images' range). Labels are unchanged.

    ``grid`` is one grid size, or a sequence of them: each image then gets one of them at
    random (equally likely), as the paper mixes patch sizes. The paper's patch sides on
    224-pixel images, 16, 32, 44 and 56 pixels (7% to 25% of the side), are on 64-pixel
    images the grids :data:`HIDE_AND_SEEK_GRIDS` ``(14, 7, 5, 4)``, chapter 7's choice.
    """
    grids = (grid,) if isinstance(grid, numbers.Integral) and not isinstance(grid, bool) else grid
    if not isinstance(grids, (tuple, list)) or not grids:
        raise TypeError(f"grid: expected an int or a non-empty sequence of ints, got {grid!r}")
    for g in grids:
        check_number("grid", g, low=1, integer=True)
    grids = tuple(int(g) for g in grids)
    check_number("p", p, low=0.0, high=1.0)

    def augment(x: torch.Tensor, y: torch.Tensor, generator: torch.Generator):
        if len(grids) == 1:
            return hide_patches(x, grids[0], p, fill, generator), y
        choice = torch.randint(len(grids), (len(x),), generator=generator, device=generator.device).to(x.device)
        out = x.clone()
        for i, g in enumerate(grids):
            chosen = choice == i
            if bool(chosen.any()):
                out[chosen] = hide_patches(x[chosen], g, p, fill, generator)
        return out, y

    return augment
