"""Pictures: CAM heatmaps over images, boxes and masks drawn on images, label maps in colour, image grids.

Images are ``(3, H, W)`` float tensors in [0, 1] (or uint8); maps are ``(H, W)``.
Drawing uses ``torchvision.utils`` (``draw_bounding_boxes``, ``draw_segmentation_masks``,
``make_grid``); figures are matplotlib figures, shown as PNG in notebooks and the book.

Used by every chapter.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
import torchvision.utils as tvu

from ._checks import check_boxes, check_class_indices, check_number, check_tensor
from .cam import normalize
from .conventions import IGNORE_INDEX

__all__ = [
    "colourize", "draw_boxes", "draw_masks", "GT_COLOUR", "heatmap", "LABEL_COLOURS", "OTHER_COLOUR",
    "overlay", "PRED_COLOUR", "show_images", "to_uint8"
]

# Ground truth and prediction in every figure of the book: blue and orange of the Okabe-Ito
# palette, a pair that stays distinct under the common colour-vision deficiencies; every
# figure's legend or caption also says which is which.
GT_COLOUR = "#0072B2"       # ground truth: blue
PRED_COLOUR = "#E69F00"     # prediction: orange
OTHER_COLOUR = "#CC79A7"    # a second prediction in the same picture: reddish purple


def _as_float_image(name: str, image: torch.Tensor) -> torch.Tensor:
    check_tensor(name, image, ndim=3)
    if image.shape[0] not in (1, 3):
        raise ValueError(f"{name}: expected an image (3, H, W) or (1, H, W), got shape {tuple(image.shape)}")
    image = image.detach().cpu()
    image = image.float() / 255 if image.dtype == torch.uint8 else image.float()
    return image.expand(3, -1, -1)


def to_uint8(image: torch.Tensor) -> torch.Tensor:
    """Float image ``(3, H, W)`` in [0, 1] -> uint8 ``(3, H, W)`` (uint8 images pass through).

    Used by :func:`draw_boxes` and :func:`draw_masks`, from the first look on.
    """
    return (_as_float_image("image", image).clamp(0, 1) * 255).round().to(torch.uint8)


def heatmap(cam: torch.Tensor, cmap: str = "viridis") -> torch.Tensor:
    """A map ``(H, W)`` -> colour image ``(3, H, W)`` in [0, 1], min-max scaled (a flat map is all low).

    The default colour map, viridis, is perceptually uniform: equal steps of the map look like
    equal steps of colour, which a rainbow map such as ``jet`` does not give. The scaling is per
    map: show a colour bar, or a shared scale, when maps are compared (see :func:`show_images`).

    Used by :func:`overlay`, from the first look on.
    """
    check_tensor("cam", cam, ndim=2, kind="float", finite=True)
    scaled = normalize(cam.detach().cpu().float(), "minmax")
    rgba = matplotlib.colormaps[cmap](scaled.numpy())
    return torch.from_numpy(rgba[..., :3]).permute(2, 0, 1).float()


def overlay(image: torch.Tensor, cam: torch.Tensor, alpha: float = 0.5, cmap: str = "viridis") -> torch.Tensor:
    """The heatmap of ``cam`` blended over ``image``; a map at lower resolution is upsampled bilinearly.

    Used from the first look on.
    """
    image = _as_float_image("image", image)
    check_number("alpha", alpha, low=0.0, high=1.0)
    check_tensor("cam", cam, ndim=2, kind="float", finite=True)
    if cam.shape != image.shape[-2:]:
        cam = F.interpolate(cam[None, None].float(), size=image.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    return (1 - alpha) * image + alpha * heatmap(cam, cmap)


def _upscale_nearest(image: torch.Tensor, scale: int) -> torch.Tensor:
    check_number("scale", scale, low=1, integer=True)
    return image.repeat_interleave(scale, -1).repeat_interleave(scale, -2) if scale > 1 else image


def draw_boxes(image: torch.Tensor, boxes: torch.Tensor, colours=PRED_COLOUR, *, labels=None,
               width: int = 3, scale: int = 4) -> torch.Tensor:
    """Draw boxes ``(M, 4)`` (pixel edges) on ``image``, upscaled ``scale`` times so thin lines stay visible.

    Returns a uint8 image ``(3, scale*H, scale*W)``. Empty boxes are skipped.

    Used from the first look on.
    """
    check_boxes("boxes", boxes)
    out = _upscale_nearest(to_uint8(image), scale)
    keep = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    if isinstance(colours, (list, tuple)):
        colours = [c for c, k in zip(colours, keep.tolist()) if k]
    if labels is not None:
        labels = [lab for lab, k in zip(labels, keep.tolist()) if k]
    if not bool(keep.any()):
        return out
    # draw_bounding_boxes takes the last pixel inside the box, hence the -1
    scaled = boxes[keep].detach().cpu().float() * scale - torch.tensor([0.0, 0.0, 1.0, 1.0])
    return tvu.draw_bounding_boxes(out, scaled, labels=labels, colors=colours, width=width)


def draw_masks(image: torch.Tensor, masks: torch.Tensor, colours="yellow", *, alpha: float = 0.5,
               scale: int = 1) -> torch.Tensor:
    """Blend masks ``(M, H, W)`` or ``(H, W)`` bool over ``image``; uint8 ``(3, scale*H, scale*W)``.

    Used first in chapter 1.
    """
    check_tensor("masks", masks, ndim=(2, 3), kind="bool")
    check_number("alpha", alpha, low=0.0, high=1.0)
    out = to_uint8(image)
    if masks.shape[-2:] != out.shape[-2:]:
        raise ValueError(f"masks: expected masks of the image's size {tuple(out.shape[-2:])}, got {tuple(masks.shape)}")
    out = tvu.draw_segmentation_masks(out, masks.detach().cpu(), alpha=alpha, colors=colours)
    return _upscale_nearest(out, scale)


def show_images(images, titles=None, *, ncols: int = 8, panel_inches: float = 1.6, cmap: str | None = None,
                suptitle: str | None = None):
    """Show a list of images ``(3, H, W)`` / maps ``(H, W)`` in a grid; returns the matplotlib figure.

    ``ncols`` panels per row, each ``panel_inches`` wide and high. Assign the result
    (``fig = show_images(...)``) so that a notebook shows the figure once.

    Used from the first look on.
    """
    images = list(images)
    if not images:
        raise ValueError("images: expected at least one image, got none")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles: expected {len(images)} titles, one per image, got {len(titles)}")
    check_number("ncols", ncols, low=1, integer=True)
    check_number("panel_inches", panel_inches, low=0.0, low_open=True)
    ncols = min(ncols, len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_inches * ncols, panel_inches * nrows + (0.3 if suptitle else 0)),
                             squeeze=False, dpi=150)           # sharp on high-resolution screens
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, img) in enumerate(zip(axes.flat, images)):
        check_tensor(f"images[{i}]", img, ndim=(2, 3))
        img = img.detach().cpu()
        if img.ndim == 3:
            img = _as_float_image(f"images[{i}]", img).permute(1, 2, 0).clamp(0, 1)
            ax.imshow(img.numpy(), interpolation="nearest")
        else:
            ax.imshow(img.float().numpy(), cmap=cmap or "viridis", interpolation="nearest")
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=10)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


#: colours of labels 0 (background, black) and 1..6 (the Shapes classes); the ignore label is white
LABEL_COLOURS = torch.tensor([[0.0, 0.0, 0.0], [0.90, 0.10, 0.10], [0.10, 0.60, 0.90], [1.00, 0.80, 0.10],
                              [0.20, 0.80, 0.20], [0.80, 0.30, 0.90], [1.00, 0.50, 0.00], [0.55, 0.55, 0.55],
                              [0.40, 0.20, 0.10], [0.00, 0.50, 0.50], [0.60, 0.60, 0.20]])


def colourize(maps: torch.Tensor) -> torch.Tensor:
    """Label maps ``(N, H, W)`` -> colour images ``(N, 3, H, W)`` in [0, 1] (one fixed colour per label,
    :data:`wsl_lib.conventions.IGNORE_INDEX` white), for :func:`wsl_lib.viz.show_images`.

    Used first in chapter 5.
    """
    check_tensor("maps", maps, ndim=3, kind="int")
    check_class_indices("maps", maps, len(LABEL_COLOURS), ignore_index=IGNORE_INDEX)
    maps = maps.detach().cpu().long()
    colours = torch.cat([LABEL_COLOURS, torch.ones(1, 3)])
    index = torch.where(maps == IGNORE_INDEX, len(LABEL_COLOURS), maps)
    return colours[index].permute(0, 3, 1, 2).contiguous()
