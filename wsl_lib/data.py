"""The book's two datasets, generated from a seed, with exact ground truth.

* **Shapes**: coloured geometric shapes (circle, square, triangle, cross, star,
  ring) of random size, position, colour and rotation, on a background cluttered
  with distractor strokes. Options: several objects per image (multi-label) and
  a *spurious background* whose colour goes with the class in the training split.
* **Cluttered Digits**: the real handwritten digits that ship with scikit-learn
  (``sklearn.datasets.load_digits``), upscaled and pasted on a larger canvas
  with clutter cut from other digits.

Every image comes with its class, the box and the pixel mask of every object.
Boxes are ``(x1, y1, x2, y2)`` in pixel-edge coordinates, ``x2`` and ``y2`` exclusive (see
:mod:`wsl_lib.boxes`). Per-pixel label maps (:meth:`WSLDataset.semantic_masks`) hold 0 for the
background, ``c + 1`` for class ``c``, and :data:`wsl_lib.conventions.IGNORE_INDEX` for a pixel whose label is
unknown (a pseudo-mask's border band), which losses and metrics treat as documented there.

Generation is deterministic: the same ``(seed, split)`` gives the same tensors
on any machine, for a given run seed ``WSL_SEED`` (see :mod:`wsl_lib.seeding`; 0 when
unset). Random numbers come from one ``torch.Generator``, and the
geometry uses only additions, multiplications, divisions, square roots and
comparisons, which IEEE 754 rounds the same way everywhere (no sin, cos or
matrix products whose last bits depend on the CPU).

Introduced in the first look and chapter 1 (Cluttered Digits appears in chapter 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from ._checks import check_choice, check_number, check_same_length, check_tensor
from .boxes import masks_to_boxes
from .seeding import fixed_permutation, generator

__all__ = [
    "DIGIT_CLASSES", "digit_pool", "make_digits", "make_shapes", "SHAPE_CLASSES", "split_generator",
    "SPLITS", "WSLDataset"
]


SHAPE_CLASSES = ("circle", "square", "triangle", "cross", "star", "ring")
DIGIT_CLASSES = tuple(str(d) for d in range(10))
SPLITS = ("train", "val", "test")


@dataclass
class WSLDataset(torch.utils.data.Dataset):
    """Images with exact labels, boxes and masks.

    Single-object datasets (``multi_label=False``):
        images ``(N, 3, H, W)`` float32 in [0, 1]; labels ``(N,)`` int64;
        boxes ``(N, 4)`` float32; masks ``(N, H, W)`` bool.
    Multi-object datasets (``multi_label=True``, K objects per image):
        labels ``(N, C)`` float32 multi-hot; boxes ``(N, K, 4)``;
        masks ``(N, K, H, W)``; ``object_classes`` ``(N, K)`` int64.

    ``dataset[i]`` is the tuple ``(image, label, box, mask)`` of item ``i``.

    Returned by :func:`make_shapes` and :func:`make_digits`; used from the first look on.
    """

    images: torch.Tensor
    labels: torch.Tensor
    boxes: torch.Tensor
    masks: torch.Tensor
    object_classes: torch.Tensor
    class_names: tuple
    name: str
    split: str

    def __post_init__(self):
        check_tensor("images", self.images, ndim=4, kind="float", nonempty=False)
        check_tensor("labels", self.labels, ndim=(1, 2), kind="real", nonempty=False)
        check_tensor("boxes", self.boxes, ndim=(2, 3), kind="float", nonempty=False)
        check_tensor("masks", self.masks, ndim=(3, 4), kind="bool", nonempty=False)
        check_tensor("object_classes", self.object_classes, ndim=2, kind="int", nonempty=False)
        check_same_length(images=self.images, labels=self.labels, boxes=self.boxes, masks=self.masks,
                          object_classes=self.object_classes)
        check_choice("split", self.split, SPLITS)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i], self.labels[i], self.boxes[i], self.masks[i]

    def __repr__(self) -> str:
        n, _, h, w = self.images.shape
        kind = f"{self.object_classes.shape[1]} objects per image" if self.multi_label else "one object per image"
        return f"WSLDataset({self.name!r}, split={self.split!r}, {n} images of {h}x{w}, {self.num_classes} classes, {kind})"

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def multi_label(self) -> bool:
        return self.labels.ndim == 2

    @property
    def image_size(self) -> tuple:
        return tuple(self.images.shape[-2:])

    def semantic_masks(self) -> torch.Tensor:
        """Per-pixel class map ``(N, H, W)`` int64: 0 is background, ``c + 1`` is class ``c``."""
        masks = self.masks if self.multi_label else self.masks[:, None]
        classes = self.object_classes + 1                       # (N, K)
        # objects never overlap, so a sum picks the one class present at each pixel
        return (masks.long() * classes[:, :, None, None]).sum(1)

    def subset(self, index) -> "WSLDataset":
        """The items at ``index`` (a slice, or a tensor of indices or of bools) as a new dataset."""
        return WSLDataset(self.images[index], self.labels[index], self.boxes[index], self.masks[index],
                          self.object_classes[index], self.class_names, self.name, self.split)


def split_generator(seed: int, split: str, salt: int) -> torch.Generator:
    """The generator of one dataset's ``split``: :func:`wsl_lib.seeding.generator` with one stream
    per (split, ``salt``), ``salt`` telling the generators apart (1 Shapes, 2 Cluttered Digits,
    3 chapter 8's bags). No Python ``hash()``, which varies by process."""
    check_choice("split", split, SPLITS)
    return generator(seed, stream=SPLITS.index(split) * 101 + salt)


def _check_common(n, split, seed, image_size):
    check_number("n", n, low=1, integer=True)
    check_choice("split", split, SPLITS)
    check_number("seed", seed, low=0, integer=True)
    check_number("image_size", image_size, low=32, integer=True)


def _balanced_labels(n: int, num_classes: int, g: torch.Generator) -> torch.Tensor:
    """``n`` labels with every class equally often (up to one), in random order."""
    return (torch.arange(n) % num_classes)[torch.randperm(n, generator=g)]


# --------------------------------------------------------------------------- Shapes

# Star: a filled pentagram is the set of points on the inner side of at least four
# of the five lines that join every second tip. Each line is stored as (a, b, c):
# the inner side is a*u + b*v <= c. Computed once in double precision by Python's
# math module, then used as constants.
def _pentagram_lines():
    tips = [(math.cos(math.pi / 2 + 2 * math.pi * k / 5), math.sin(math.pi / 2 + 2 * math.pi * k / 5))
            for k in range(5)]
    lines = []
    for k in range(5):
        (x0, y0), (x1, y1) = tips[k], tips[(k + 2) % 5]
        a, b = y1 - y0, x0 - x1                                 # normal of the line
        c = a * x0 + b * y0
        if c < 0:                                               # orient so that the centre is inside
            a, b, c = -a, -b, -c
        lines.append((a, b, c))
    return lines


_STAR_LINES = _pentagram_lines()
_SQRT3 = math.sqrt(3.0)


def _shape_mask(shape: int, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Inside test for one shape class, in object coordinates where the shape spans about [-1, 1]^2."""
    name = SHAPE_CLASSES[shape]
    if name == "circle":
        return u * u + v * v <= 1.0
    if name == "ring":
        r2 = u * u + v * v
        return (r2 <= 1.0) & (r2 >= 0.36)
    if name == "square":
        return (u.abs() <= 0.8) & (v.abs() <= 0.8)
    if name == "triangle":                                      # equilateral, inscribed in the unit circle
        return (v >= -0.5) & (_SQRT3 * u + v <= 1.0) & (v - _SQRT3 * u <= 1.0)
    if name == "cross":
        au, av = u.abs(), v.abs()
        return ((au <= 1.0) & (av <= 0.3)) | ((au <= 0.3) & (av <= 1.0))
    if name == "star":
        outside = sum((a * u + b * v > c).to(torch.uint8) for a, b, c in _STAR_LINES)
        return outside <= 1
    raise AssertionError(name)


def _unit_vectors(shape, g):
    """Random unit vectors ``(*shape, 2)``: a normalised Gaussian pair (no trigonometry)."""
    xy = torch.randn(*shape, 2, generator=g, dtype=torch.float64)
    norm = torch.sqrt(xy[..., 0] * xy[..., 0] + xy[..., 1] * xy[..., 1]).clamp_min(1e-12)
    return (xy / norm[..., None]).float()


def _place_objects(n, k, image_size, g, r_range):
    """Radii ``(n, k)`` and centres ``(n, k, 2)`` of non-overlapping discs inside the image."""
    radius = torch.zeros(n, k)
    centre = torch.zeros(n, k, 2)
    for j in range(k):
        todo = torch.arange(n)
        shrink = 1.0
        for attempt in range(200):
            m = len(todo)
            r = (r_range[0] + (r_range[1] - r_range[0]) * torch.rand(m, generator=g)) * image_size * shrink
            c = r[:, None] + torch.rand(m, 2, generator=g) * (image_size - 2 * r[:, None])
            ok = torch.ones(m, dtype=torch.bool)
            for i in range(j):                                  # keep clear of the objects already placed
                d = c - centre[todo, i]
                dist2 = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]
                gap = r + radius[todo, i] + 2.0
                ok &= dist2 >= gap * gap
            radius[todo[ok], j], centre[todo[ok], j] = r[ok], c[ok]
            todo = todo[~ok]
            if len(todo) == 0:
                break
            if attempt >= 20:                                   # crowded image: try smaller objects
                shrink *= 0.95
        else:
            raise RuntimeError(f"could not place {k} objects without overlap in a {image_size}x{image_size} image")
    return radius, centre


def make_shapes(n: int = 2000, *, split: str = "train", seed: int = 0, image_size: int = 64,
                n_objects: int = 1, spurious: float = 0.0, clutter: bool = True) -> WSLDataset:
    """Generate the Shapes dataset.

    Introduced in the first look and used by every chapter.

    Args:
        n: number of images.
        split: ``"train"``, ``"val"`` or ``"test"``; each split is an independent stream.
        seed: the same ``(seed, split)`` always gives the same images.
        image_size: image height and width in pixels (at least 32).
        n_objects: objects per image, each of a different class; more than one
            makes a multi-label dataset (``labels`` multi-hot ``(N, C)``).
        spurious: in the training split, the fraction of images whose background
            colour is the colour of their (first) object's class; the other images,
            and every image of the val and test splits, get the colour of a
            random class. 0 turns the mode off (backgrounds of random colour).
        clutter: draw 3 to 6 distractor strokes under the objects.

    Returns:
        A :class:`WSLDataset` of ``n`` images ``(3, image_size, image_size)``.
    """
    _check_common(n, split, seed, image_size)
    check_number("n_objects", n_objects, low=1, high=len(SHAPE_CLASSES), integer=True)
    check_number("spurious", spurious, low=0.0, high=1.0)
    num_classes, k = len(SHAPE_CLASSES), n_objects
    g = split_generator(seed, split, salt=1)

    # --- draw every random parameter first, so that the result does not depend on chunking
    if k == 1:
        classes = _balanced_labels(n, num_classes, g)[:, None]
    else:
        classes = torch.rand(n, num_classes, generator=g).argsort(1)[:, :k]
    r_range = (0.12, 0.25) if k == 1 else (0.10, 0.20)
    radius, centre = _place_objects(n, k, image_size, g, r_range)
    rotation = _unit_vectors((n, k), g)
    dark_background = torch.rand(n, generator=g) < 0.5
    low, high = torch.rand(n, 3, generator=g) * 0.4, 0.6 + torch.rand(n, k, 3, generator=g) * 0.4
    background = torch.where(dark_background[:, None], low, 1.0 - low)
    colour = torch.where(dark_background[:, None, None], high, 1.0 - high)
    if spurious > 0:
        # a fixed palette of mid-dark class colours; objects stay light on top of them
        palette = torch.tensor([[0.35, 0.05, 0.05], [0.05, 0.30, 0.05], [0.05, 0.05, 0.40],
                                [0.35, 0.30, 0.00], [0.30, 0.00, 0.35], [0.00, 0.30, 0.35]])
        random_class = torch.randint(num_classes, (n,), generator=g)
        tied = torch.rand(n, generator=g) < spurious if split == "train" else torch.zeros(n, dtype=torch.bool)
        background = palette[torch.where(tied, classes[:, 0], random_class)]
        colour = high
    n_strokes = 6
    stroke_on = torch.arange(n_strokes)[None] < torch.randint(3, n_strokes + 1, (n, 1), generator=g)
    stroke_on &= clutter
    stroke_start = torch.rand(n, n_strokes, 2, generator=g) * image_size
    stroke_dir = _unit_vectors((n, n_strokes), g)
    stroke_len = (0.08 + 0.17 * torch.rand(n, n_strokes, generator=g)) * image_size
    stroke_halfwidth = (0.6 + 0.8 * torch.rand(n, n_strokes, generator=g)) * image_size / 64
    stroke_halfwidth = torch.where(stroke_on, stroke_halfwidth, -1.0)    # an absent stroke covers nothing
    stroke_colour = torch.rand(n, n_strokes, 3, generator=g)
    noise = torch.randn(n, 1, image_size, image_size, generator=g) * 0.03              # grey sensor noise

    # --- paint: each pixel gets the index of the topmost thing drawn on it
    #     (0 background, 1..6 strokes, 7.. objects), then one lookup gives the colours
    palette = torch.cat([background[:, None], stroke_colour, colour], 1)  # (n, 1 + 6 + k, 3)
    images = torch.empty(n, 3, image_size, image_size)
    masks = torch.empty(n, k, image_size, image_size, dtype=torch.bool)
    coords = torch.arange(image_size, dtype=torch.float32) + 0.5                # pixel centres
    for lo in range(0, n, 256):
        sl = slice(lo, min(lo + 256, n))
        m = sl.stop - lo
        paint = torch.zeros(m, image_size, image_size, dtype=torch.uint8)
        for s in range(n_strokes):                                        # rectangular strokes
            (x0, y0), (dx, dy) = stroke_start[sl, s].T, stroke_dir[sl, s].T
            px, py = coords[None, None, :] - x0[:, None, None], coords[None, :, None] - y0[:, None, None]
            along = px * dx[:, None, None] + py * dy[:, None, None]        # (m, H, W)
            across = (px * dy[:, None, None] - py * dx[:, None, None]).abs()
            on = (along >= 0) & (along <= stroke_len[sl, s, None, None]) & (across <= stroke_halfwidth[sl, s, None, None])
            paint[on] = s + 1
        for j in range(k):
            (cx, cy), (cs, sn) = centre[sl, j].T, rotation[sl, j].T
            inv_r = 1.0 / radius[sl, j]
            px, py = coords[None, None, :] - cx[:, None, None], coords[None, :, None] - cy[:, None, None]
            u = px * (cs * inv_r)[:, None, None] + py * (sn * inv_r)[:, None, None]
            v = py * (cs * inv_r)[:, None, None] - px * (sn * inv_r)[:, None, None]
            inside = torch.zeros(m, image_size, image_size, dtype=torch.bool)
            cls = classes[sl, j]
            for c in cls.unique().tolist():
                sel = cls == c
                inside[sel] = _shape_mask(c, u[sel], v[sel])
            masks[sl, j] = inside
            paint[inside] = 1 + n_strokes + j
        rgb = torch.gather(palette[sl], 1, paint.long().view(m, -1, 1).expand(-1, -1, 3))  # (m, H*W, 3)
        images[sl] = (rgb.permute(0, 2, 1).view(m, 3, image_size, image_size) + noise[sl]).clamp(0.0, 1.0)

    boxes = masks_to_boxes(masks.flatten(0, 1)).view(n, k, 4)
    if k == 1:
        labels, boxes, masks = classes[:, 0].clone(), boxes[:, 0], masks[:, 0]
    else:
        labels = torch.zeros(n, num_classes).scatter_(1, classes, 1.0)
    return WSLDataset(images, labels, boxes, masks, classes, SHAPE_CLASSES, "shapes", split)


# --------------------------------------------------------------------------- Cluttered Digits

_DIGIT_SCALES = (3, 4, 5)          # 8x8 digits become 24, 32 or 40 pixels wide
_INK_THRESHOLD = 0.35              # ink above this fraction of full intensity is the digit's mask


@lru_cache(maxsize=None)
def digit_pool():
    """scikit-learn's 1,797 handwritten digits, split 60/20/20 into disjoint source pools.

    Returns images ``(1797, 8, 8)`` float64 in [0, 1], targets ``(1797,)`` and a dict
    split -> indices, so that no handwritten digit appears in two splits.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = digits.images / 16.0
    order = fixed_permutation(len(images), seed=0)
    a, b = int(0.6 * len(order)), int(0.8 * len(order))
    pools = {"train": order[:a], "val": order[a:b], "test": order[b:]}
    return images, digits.target, pools


def _upscale_bilinear(img: np.ndarray, factor: int) -> np.ndarray:
    """Bilinear upscaling ``(M, 8, 8) -> (M, 8f, 8f)`` (pixel-centre convention, edges clamped).

    Written with one elementwise multiply-add per axis so that the result is
    bit-identical on every machine (no matrix product, whose rounding varies).
    """
    def along(a, axis):
        n = a.shape[axis]
        src = (np.arange(n * factor) + 0.5) / factor - 0.5
        i0 = np.clip(np.floor(src).astype(int), 0, n - 1)
        i1 = np.clip(i0 + 1, 0, n - 1)
        w1 = np.clip(src - np.floor(src), 0.0, 1.0)
        w1 = np.where(src < 0, 0.0, w1)
        shape = [1] * a.ndim
        shape[axis] = -1
        w1 = w1.reshape(shape)
        a0, a1 = np.take(a, i0, axis=axis), np.take(a, i1, axis=axis)
        return a0 * (1.0 - w1) + a1 * w1
    return along(along(img, 1), 2)


@lru_cache(maxsize=None)
def _upscaled_digits(factor: int) -> np.ndarray:
    images, _, _ = digit_pool()
    return _upscale_bilinear(images, factor)


def make_digits(n: int = 2000, *, split: str = "train", seed: int = 0, image_size: int = 64,
                clutter: bool = True) -> WSLDataset:
    """Generate the Cluttered Digits dataset.

    Each image holds one real handwritten digit from ``sklearn.datasets.load_digits``,
    upscaled 3, 4 or 5 times (24 to 40 pixels), at a random place on a ``image_size x image_size``
    canvas, with 2 to 4 pieces cut from other digits of the same split as clutter.
    The mask is the digit's ink (intensity above 35% of full); the clutter never counts.

    Introduced in chapter 1; the bags of chapter 8 draw on the same digits.

    Args:
        n: number of images.
        split: ``"train"``, ``"val"`` or ``"test"``; the splits draw on disjoint
            pools of scikit-learn's digits.
        seed: the same ``(seed, split)`` always gives the same images.
        image_size: canvas height and width in pixels (at least 48, so the largest digit fits).
        clutter: paste digit pieces around the digit.

    Returns:
        A :class:`WSLDataset` of ``n`` grey images ``(3, image_size, image_size)``, 10 classes.
    """
    _check_common(n, split, seed, image_size)
    check_number("image_size", image_size, low=48, integer=True)
    source, targets, pools = digit_pool()
    pool = pools[split]
    g = split_generator(seed, split, salt=2)

    labels = _balanced_labels(n, 10, g)
    # pick, for each image, a random source digit of its class from this split's pool
    by_class = [torch.from_numpy(pool[targets[pool] == c]) for c in range(10)]
    pick = torch.rand(n, generator=g)
    source_index = torch.stack([by_class[c][int(p * len(by_class[c]))] for c, p in zip(labels.tolist(), pick.tolist())])
    scale = torch.tensor(_DIGIT_SCALES)[torch.randint(len(_DIGIT_SCALES), (n,), generator=g)]
    offset = torch.rand(n, 2, generator=g)
    n_pieces = torch.randint(2, 5, (n,), generator=g) * int(clutter)
    piece_digit = torch.from_numpy(pool)[torch.randint(len(pool), (n, 4), generator=g)]
    piece_frac = torch.rand(n, 4, 4, generator=g)              # crop size (2), crop position (2); the paste position is drawn in the loop
    background = torch.rand(n, generator=g) * 0.25
    ink_level = 0.75 + torch.rand(n, generator=g) * 0.25
    noise = torch.randn(n, 1, image_size, image_size, generator=g) * 0.03

    ink = np.zeros((n, image_size, image_size))
    digit_ink = np.zeros((n, image_size, image_size))
    for i in range(n):
        f = int(scale[i])
        digit = _upscaled_digits(f)[int(source_index[i])]
        d = 8 * f
        y0, x0 = (offset[i] * (image_size - d)).long().tolist()
        digit_ink[i, y0:y0 + d, x0:x0 + d] = digit
        for p in range(int(n_pieces[i])):
            other = _upscaled_digits(f)[int(piece_digit[i, p])]
            ch, cw = (d * (0.3 + 0.3 * piece_frac[i, p, :2])).long().tolist()
            sy, sx = int(piece_frac[i, p, 2] * (d - ch)), int(piece_frac[i, p, 3] * (d - cw))
            py, px = (torch.rand(2, generator=g) * torch.tensor([image_size - ch, image_size - cw])).long().tolist()
            view = ink[i, py:py + ch, px:px + cw]
            np.maximum(view, other[sy:sy + ch, sx:sx + cw], out=view)
    masks = torch.from_numpy(digit_ink > _INK_THRESHOLD)
    ink = torch.from_numpy(np.maximum(ink, digit_ink)).float()
    grey = background[:, None, None] + ink * (ink_level - background)[:, None, None]
    images = (grey[:, None] + noise).clamp(0.0, 1.0).expand(-1, 3, -1, -1).contiguous()
    boxes = masks_to_boxes(masks)
    return WSLDataset(images, labels, boxes, masks, labels[:, None].clone(), DIGIT_CLASSES, "digits", split)
