"""Semantic segmentation from weak labels: the metric, pseudo-masks from CAMs and boxes, a refinement, a segmenter.

Class maps ``(N, H, W)`` int64 hold one label per pixel: ``0`` is the background and
``c + 1`` is class ``c`` (the convention of :meth:`wsl_lib.data.WSLDataset.semantic_masks`);
:data:`IGNORE_INDEX` (255) marks a pixel that a loss and a metric skip.

* **The metric**: :func:`confusion_matrix` (rows: true label, columns: predicted label),
  :func:`iou_per_class` and :func:`mean_iou`, the mean over labels, background included, of
  ``TP / (TP + FP + FN)``.
* **From CAMs** (image-level labels): :func:`cam_label_scores` max-normalizes the CAM of each
  class present in the image, adds a background score (a constant, or ``(1 - max_c M_c)^alpha``
  as in AffinityNet), and :func:`cam_pseudo_masks` takes the argmax.
* **Refinement**: :func:`mean_field_refine`, a few mean-field iterations of a CRF whose pairwise
  term links pixels of similar colour that are close to each other (Kraehenbuehl and Koltun's
  dense CRF, restricted here to a window around each pixel).
* **From boxes**: :func:`box_pseudo_masks` fills each box, optionally with an ignored band
  along its border; :func:`box_colour_masks` keeps, inside each box, the pixels whose colour
  differs from the colour just outside the box.
* **A segmenter**: :class:`SmallSegmenter`, a tiny fully convolutional network, trained by
  :func:`train_segmenter` with :func:`wsl_lib.train.fit` and a per-pixel cross-entropy that
  skips :data:`IGNORE_INDEX`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_boxes, check_number, check_same_length, check_tensor
from .cam import normalize
from .localize import largest_component
from .models import _conv_block
from .train import default_loss, fit, predict, seed_everything

IGNORE_INDEX = 255


# --------------------------------------------------------------------------- the metric

def _check_label_map(name: str, x, num_classes: int, ignore_index: int) -> None:
    check_tensor(name, x, ndim=3, kind="int", nonempty=False)
    bad = (x != ignore_index) & ((x < 0) | (x >= num_classes))
    if bool(bad.any()):
        raise ValueError(f"{name}: expected labels in [0, {num_classes - 1}] or {ignore_index} (ignored), "
                         f"got the value {int(x[bad][0])}")


def confusion_matrix(predicted: torch.Tensor, target: torch.Tensor, num_classes: int, *,
                     ignore_index: int = IGNORE_INDEX) -> torch.Tensor:
    """Pixel counts ``(K, K)`` int64: entry ``[t, p]`` counts pixels of true label ``t`` predicted ``p``.

    ``predicted`` and ``target`` are label maps ``(N, H, W)`` with values in ``[0, K)``, ``K =
    num_classes`` (background included). A pixel equal to ``ignore_index`` in either map is
    not counted (an ignored pixel of a pseudo-mask says nothing, right or wrong).
    """
    check_number("num_classes", num_classes, low=1, integer=True)
    check_number("ignore_index", ignore_index, integer=True)
    _check_label_map("predicted", predicted, num_classes, ignore_index)
    _check_label_map("target", target, num_classes, ignore_index)
    if predicted.shape != target.shape:
        raise ValueError(f"predicted: expected the shape of target {tuple(target.shape)}, got {tuple(predicted.shape)}")
    keep = (predicted != ignore_index) & (target != ignore_index)
    pairs = target[keep].long() * num_classes + predicted[keep].long().to(target.device)
    return torch.bincount(pairs.cpu(), minlength=num_classes * num_classes).view(num_classes, num_classes)


def iou_per_class(confusion: torch.Tensor) -> torch.Tensor:
    """IoU of each label, ``TP / (TP + FP + FN)``, from a confusion matrix ``(K, K)`` -> ``(K,)`` float64.

    A label that is neither in the target nor predicted has no IoU: its entry is NaN, and
    :func:`mean_iou` leaves it out.
    """
    check_tensor("confusion", confusion, ndim=2, kind="int")
    if confusion.shape[0] != confusion.shape[1]:
        raise ValueError(f"confusion: expected a square matrix, got shape {tuple(confusion.shape)}")
    confusion = confusion.double()
    tp = confusion.diagonal()
    union = confusion.sum(0) + confusion.sum(1) - tp
    return torch.where(union > 0, tp / union.clamp(min=1), torch.nan)


def mean_iou(predicted: torch.Tensor, target: torch.Tensor, num_classes: int, *,
             ignore_index: int = IGNORE_INDEX) -> float:
    """Mean IoU over the labels (background included) that occur in ``target`` or ``predicted``.

    The IoU of each label is computed over all pixels of all images together (as on PASCAL VOC),
    then averaged over labels. NaN when no pixel is counted at all.
    """
    iou = iou_per_class(confusion_matrix(predicted, target, num_classes, ignore_index=ignore_index))
    present = ~torch.isnan(iou)
    return float(iou[present].mean()) if bool(present.any()) else float("nan")


# --------------------------------------------------------------------------- from CAMs

def _label_matrix(labels: torch.Tensor, n: int, num_classes: int) -> torch.Tensor:
    """Image-level labels, class indices ``(N,)`` or multi-hot ``(N, C)``, as a bool ``(N, C)``."""
    if labels.ndim == 1:
        check_tensor("labels", labels, kind="int")
        if bool(((labels < 0) | (labels >= num_classes)).any()):
            raise ValueError(f"labels: expected class indices in [0, {num_classes - 1}], "
                             f"got values from {int(labels.min())} to {int(labels.max())}")
        present = F.one_hot(labels.long(), num_classes).bool()
    else:
        check_tensor("labels", labels, ndim=2, shape=(n, num_classes), kind="real")
        present = labels > 0
    if len(present) != n:
        raise ValueError(f"mismatched batch sizes: expected the same number of items, got cams has {n}, "
                         f"labels has {len(present)}")
    return present


def cam_label_scores(cams: torch.Tensor, labels: torch.Tensor, *, threshold: float | None = None,
                     alpha: float | None = None) -> torch.Tensor:
    """Scores ``(N, C + 1, H, W)`` of every label at every pixel, background first.

    Args:
        cams: CAMs of every class ``(N, C, H, W)`` at image resolution
            (``wsl.cam.compute_cams(model, images)``).
        labels: image-level labels, class indices ``(N,)`` or multi-hot ``(N, C)``.
        threshold: a constant background score in [0, 1] (IRNet uses 0.15), or
        alpha: the background score ``(1 - max_c M_c) ** alpha`` (AffinityNet); give exactly one.

    Each CAM of a class present in the image is normalized by its maximum (negative values cut,
    :func:`wsl_lib.cam.normalize` with ``"max"``), so its peak is 1; classes absent from the
    image score 0 everywhere. A CAM with no positive value scores 0 everywhere, so its image is
    all background. NaN in ``cams`` raises ``ValueError``.
    """
    check_tensor("cams", cams, ndim=4, kind="float", finite=True)
    n, c = cams.shape[:2]
    present = _label_matrix(labels, n, c).to(cams.device)
    if (threshold is None) == (alpha is None):
        raise ValueError(f"threshold, alpha: expected exactly one of them, got threshold={threshold!r}, alpha={alpha!r}")
    scores = normalize(cams, "max") * present[:, :, None, None]
    if threshold is not None:
        check_number("threshold", threshold, low=0.0, high=1.0)
        background = torch.full_like(scores[:, :1], float(threshold))
    else:
        check_number("alpha", alpha, low=0.0, low_open=True)
        background = (1 - scores.amax(1, keepdim=True)) ** alpha
    return torch.cat([background, scores], 1)


def cam_pseudo_masks(cams: torch.Tensor, labels: torch.Tensor, *, threshold: float | None = None,
                     alpha: float | None = None) -> torch.Tensor:
    """Pseudo-masks ``(N, H, W)`` int64 from CAMs: the argmax of :func:`cam_label_scores`.

    A pixel whose best class scores no more than the background is background (ties go to it).
    """
    return cam_label_scores(cams, labels, threshold=threshold, alpha=alpha).argmax(1)


# --------------------------------------------------------------------------- refinement

def _shift(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """``out[..., i, j] = x[..., i + dy, j + dx]``, zero outside the image."""
    h, w = x.shape[-2:]
    out = torch.zeros_like(x)
    out[..., max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)] = \
        x[..., max(0, dy):h - max(0, -dy), max(0, dx):w - max(0, -dx)]
    return out


def pairwise_affinities(images: torch.Tensor, *, radius: int = 5, colour_sigma: float = 0.1,
                        position_sigma: float = 3.0):
    """The CRF's pairwise kernel between each pixel and its neighbours within ``radius``.

    ``k(i, j) = exp(-|p_i - p_j|^2 / (2 position_sigma^2) - |I_i - I_j|^2 / (2 colour_sigma^2))``
    for pixel positions ``p`` and colours ``I`` (the appearance kernel of the dense CRF).

    Returns ``(offsets, weights)``: a list of ``(dy, dx)`` and a tensor ``(N, len(offsets), H, W)``
    whose ``[:, d]`` is the kernel between each pixel and the pixel at offset ``offsets[d]``
    (0 where that pixel is outside the image).
    """
    check_tensor("images", images, ndim=4, kind="float", finite=True)
    check_number("radius", radius, low=1, integer=True)
    check_number("colour_sigma", colour_sigma, low=0.0, low_open=True)
    check_number("position_sigma", position_sigma, low=0.0, low_open=True)
    offsets = [(dy, dx) for dy in range(-radius, radius + 1) for dx in range(-radius, radius + 1)
               if (dy, dx) != (0, 0) and dy * dy + dx * dx <= radius * radius]
    inside = torch.ones_like(images[:, :1])
    weights = []
    for dy, dx in offsets:
        colour = ((_shift(images, dy, dx) - images) ** 2).sum(1, keepdim=True)
        k = torch.exp(-(dy * dy + dx * dx) / (2 * position_sigma ** 2) - colour / (2 * colour_sigma ** 2))
        weights.append(k * _shift(inside, dy, dx))
    return offsets, torch.cat(weights, 1)


def mean_field_refine(images: torch.Tensor, scores: torch.Tensor, *, iterations: int = 5, weight: float = 1.0,
                      radius: int = 5, colour_sigma: float = 0.1, position_sigma: float = 3.0,
                      batch_size: int = 256) -> torch.Tensor:
    """Refine label scores with a few mean-field iterations of a CRF; returns probabilities ``(N, L, H, W)``.

    Args:
        images: ``(N, 3, H, W)`` in [0, 1].
        scores: non-negative label scores ``(N, L, H, W)``, e.g. :func:`cam_label_scores`; a
            pixel's unary probabilities are its scores divided by their sum (labels scoring 0
            stay at probability 0).
        iterations: mean-field updates; weight: strength of the pairwise term;
        radius, colour_sigma, position_sigma: the kernel of :func:`pairwise_affinities`.

    Each update is ``Q_l(i) = softmax_l( log P_l(i) + weight * sum_j k(i, j) Q_l(j) )``: a pixel
    leans towards the labels of the nearby pixels that have its colour (the Potts model of the
    dense CRF, with the sum over all pixels restricted to a window). The argmax of the result is
    the refined pseudo-mask. A pixel whose scores are all 0 gets equal probabilities.
    """
    check_tensor("images", images, ndim=4, kind="float", finite=True)
    check_tensor("scores", scores, ndim=4, kind="float", finite=True)
    check_same_length(images=images, scores=scores)
    if images.shape[-2:] != scores.shape[-2:]:
        raise ValueError(f"scores: expected maps of the images' size {tuple(images.shape[-2:])}, "
                         f"got {tuple(scores.shape[-2:])}")
    if bool((scores < 0).any()):
        raise ValueError("scores: expected non-negative scores, got a negative value")
    check_number("iterations", iterations, low=0, integer=True)
    check_number("weight", weight, low=0.0)
    check_number("batch_size", batch_size, low=1, integer=True)
    out = []
    for lo in range(0, len(images), batch_size):
        img, sc = images[lo:lo + batch_size], scores[lo:lo + batch_size].to(images.device)
        offsets, kernel = pairwise_affinities(img, radius=radius, colour_sigma=colour_sigma,
                                              position_sigma=position_sigma)
        total = sc.sum(1, keepdim=True)
        unary = torch.where(total > 0, sc / total.clamp(min=1e-12), 1.0 / sc.shape[1])
        # a label with probability 0 everywhere in an image stays at 0: iterate over the others only
        active = unary.flatten(2).amax(2) > 0                                        # (n, L)
        order = torch.sort((~active).byte(), dim=1, stable=True).indices[:, :int(active.sum(1).max())]
        index = order[:, :, None, None].expand(-1, -1, *unary.shape[-2:])
        log_unary = torch.log(unary.gather(1, index).clamp(min=1e-8))
        q = torch.softmax(log_unary, 1)
        h, w = q.shape[-2:]
        for _ in range(iterations):
            padded = F.pad(q, (radius, radius, radius, radius))                      # zero outside the image
            message = torch.zeros_like(q)
            for d, (dy, dx) in enumerate(offsets):
                neighbour = padded[..., radius + dy:radius + dy + h, radius + dx:radius + dx + w]
                message.addcmul_(kernel[:, d:d + 1], neighbour)
            q = torch.softmax(log_unary + weight * message, 1)
        out.append(torch.zeros_like(unary).scatter_(1, index, q))
    return torch.cat(out)


# --------------------------------------------------------------------------- from boxes

def _boxes_and_classes(boxes, classes):
    """Boxes ``(N, 4)`` or ``(N, K, 4)`` and classes ``(N,)`` or ``(N, K)`` -> ``(N, K, 4)``, ``(N, K)``."""
    check_boxes("boxes", boxes, ndim=(2, 3))
    check_tensor("classes", classes, ndim=(1, 2), kind="int")
    if boxes.ndim == 2:
        boxes = boxes[:, None]
    if classes.ndim == 1:
        classes = classes[:, None]
    if boxes.shape[:2] != classes.shape:
        raise ValueError(f"classes: expected one class per box, shape {tuple(boxes.shape[:2])}, "
                         f"got {tuple(classes.shape)}")
    if bool((classes < 0).any()):
        raise ValueError(f"classes: expected class indices >= 0, got {int(classes.min())}")
    return boxes, classes


def _box_region(boxes: torch.Tensor, size) -> torch.Tensor:
    """Bool masks ``(N, K, H, W)`` of the pixels whose centre lies inside each box ``(N, K, 4)``."""
    h, w = size
    ys = torch.arange(h, dtype=boxes.dtype, device=boxes.device) + 0.5
    xs = torch.arange(w, dtype=boxes.dtype, device=boxes.device) + 0.5
    x1, y1, x2, y2 = (boxes[..., i, None, None] for i in range(4))
    return (xs >= x1) & (xs < x2) & (ys[:, None] >= y1) & (ys[:, None] < y2)


def _paint(regions: torch.Tensor, values: torch.Tensor, boxes: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
    """Paint each box's region with its value, largest box first, so a smaller box stays on top."""
    area = (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])       # (N, K)
    out = base.clone()
    for k in area.argsort(1, descending=True).T:                                     # one box per image at a time
        idx = torch.arange(len(out))
        region, value = regions[idx, k], values[idx, k]                              # (N, H, W)
        out = torch.where(region, value, out)
    return out


def box_pseudo_masks(boxes: torch.Tensor, classes: torch.Tensor, size, *, band: float = 0.0) -> torch.Tensor:
    """Pseudo-masks ``(N, H, W)`` int64 that fill each box with its class.

    Args:
        boxes: ``(N, 4)`` or ``(N, K, 4)`` boxes ``(x1, y1, x2, y2)`` in pixel edges.
        classes: the class ``c`` of each box, ``(N,)`` or ``(N, K)``; its pixels get label ``c + 1``.
        size: ``(H, W)`` of the masks.
        band: a fraction in [0, 0.5): the pixels inside a box but within ``band * width`` of its left
            or right side, or ``band * height`` of its top or bottom, are :data:`IGNORE_INDEX`
            (the box border is where a filled box is most often wrong). 0 fills the whole box.

    Pixels outside every box are background (0); where boxes overlap, the smaller box wins.
    An empty box (zero area) labels nothing.
    """
    boxes, classes = _boxes_and_classes(boxes, classes)
    if (not isinstance(size, (tuple, list, torch.Size)) or len(size) != 2
            or not all(isinstance(s, int) and s > 0 for s in size)):
        raise ValueError(f"size: expected (height, width) as two positive ints, got {size!r}")
    check_number("band", band, low=0.0, high=0.5, high_open=True)
    regions = _box_region(boxes, size)
    wh = (boxes[..., 2:] - boxes[..., :2]).repeat(1, 1, 2)                           # (N, K, 4)
    inner = boxes + band * wh * torch.tensor([1.0, 1.0, -1.0, -1.0], device=boxes.device)
    core = _box_region(inner, size)
    values = torch.where(core, classes[..., None, None] + 1, IGNORE_INDEX)          # (N, K, H, W)
    base = torch.zeros(len(boxes), *size, dtype=torch.long, device=boxes.device)
    return _paint(regions, values.long(), boxes, base)


def box_colour_masks(images: torch.Tensor, boxes: torch.Tensor, classes: torch.Tensor, *, margin: int = 2,
                     tolerance: float = 0.25) -> torch.Tensor:
    """Pseudo-masks ``(N, H, W)`` int64 that keep, inside each box, the pixels unlike the background colour.

    The background colour of a box is the median colour of the ring of ``margin`` pixels just
    outside it (the median ignores the odd distracting stroke). Inside the box, a pixel whose
    colour is farther than ``tolerance`` (Euclidean, RGB in [0, 1]) from it is object; the
    largest 8-connected region of those pixels gets the box's class, the rest is background.
    A box whose ring lies outside the image uses its own border pixels; an empty box labels nothing.
    """
    check_tensor("images", images, ndim=4, kind="float", finite=True)
    boxes, classes = _boxes_and_classes(boxes, classes)
    check_same_length(images=images, boxes=boxes)
    check_number("margin", margin, low=1, integer=True)
    check_number("tolerance", tolerance, low=0.0)
    n, k = classes.shape
    size = tuple(images.shape[-2:])
    boxes = boxes.to(images.device)
    region = _box_region(boxes, size)                                                # (N, K, H, W)
    grow = torch.tensor([-1.0, -1.0, 1.0, 1.0], device=images.device) * margin
    ring = _box_region(boxes + grow, size) & ~region
    border = region & ~_box_region(boxes - grow / margin, size)                      # the box's outer pixels
    ring = torch.where(ring.flatten(2).any(2)[..., None, None], ring, border)
    colours = images[:, None].expand(n, k, *images.shape[1:])                        # (N, K, 3, H, W)
    ring_colours = torch.where(ring[:, :, None], colours, torch.nan).flatten(3)
    background = ring_colours.nanmedian(3).values.nan_to_num(0.0)                    # (N, K, 3)
    distance = ((colours - background[..., None, None]) ** 2).sum(2).sqrt()          # (N, K, H, W)
    objects = largest_component((region & (distance > tolerance)).flatten(0, 1)).view(n, k, *size)
    values = (classes[..., None, None] + 1).expand(n, k, *size)
    base = torch.zeros(n, *size, dtype=torch.long, device=images.device)
    return _paint(objects, values.long(), boxes, base)


# --------------------------------------------------------------------------- a segmenter

class SmallSegmenter(nn.Module):
    """A tiny fully convolutional segmenter: images ``(N, 3, H, W)`` -> label scores ``(N, L, H, W)``.

    A stride-2 stem, then deep features at stride 8: either two stages of its own (max pooling,
    then a 3x3 convolution, twice), or a given ``encoder``, such as the body of the book's
    classifier (``model.features``), which is then frozen: the segmenter reuses what the
    classifier learned from image labels, as real segmenters reuse an ImageNet classifier.
    Three 1x1 convolutions read label scores ``L = num_labels`` (background included) from the
    stem (fine detail, as in FCN's skip connections), the deep features (coarse but informed), and
    their global average (what the whole image shows, as in ParseNet's global context). The coarse
    scores are upsampled, the three are added, and the sum is upsampled to the input's size.

    Args:
        num_labels: labels ``L``, background included.
        widths: channels of the stem and of the two deep stages (the latter unused with an encoder).
        encoder: ``None``, or a module (or a bound method such as ``classifier.features``) mapping
            images to features ``(N, K, H/8, W/8)``; then ``encoder_channels = K`` is required.
    """

    def __init__(self, num_labels: int, widths=(16, 32, 64), *, encoder=None, encoder_channels: int | None = None):
        super().__init__()
        check_number("num_labels", num_labels, low=2, integer=True)
        if (not isinstance(widths, (tuple, list)) or len(widths) != 3
                or not all(isinstance(w, int) and w > 0 for w in widths)):
            raise ValueError(f"widths: expected a tuple of three positive ints, got {widths!r}")
        self.stem = nn.Sequential(*_conv_block(3, widths[0], stride=2))
        if encoder is None:
            self.deep = nn.Sequential(nn.MaxPool2d(2), *_conv_block(widths[0], widths[1]),
                                      nn.MaxPool2d(2), *_conv_block(widths[1], widths[2]))
            channels = widths[2]
        else:
            if not callable(encoder):
                raise TypeError(f"encoder: expected a module or a function of images, got {type(encoder).__name__}")
            check_number("encoder_channels", encoder_channels, low=1, integer=True)
            owner = getattr(encoder, "__self__", encoder)
            if isinstance(owner, nn.Module):
                owner.requires_grad_(False)
                self._frozen = [owner.eval()]                  # a list: not registered as a submodule
            self.deep = None
            self._encoder = encoder
            channels = encoder_channels
        self.fine = nn.Conv2d(widths[0], num_labels, 1)
        self.coarse = nn.Conv2d(channels, num_labels, 1)
        self.context = nn.Conv2d(channels, num_labels, 1)

    def train(self, mode: bool = True):
        super().train(mode)
        for module in getattr(self, "_frozen", []):           # a frozen encoder stays in eval mode
            module.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=4, kind="float")
        stem = self.stem(x)
        if self.deep is not None:
            deep = self.deep(stem)
        else:
            with torch.no_grad():
                deep = self._encoder(x)
        coarse = F.interpolate(self.coarse(deep), size=stem.shape[-2:], mode="bilinear", align_corners=False)
        scores = self.fine(stem) + coarse + self.context(deep.mean(dim=(2, 3), keepdim=True))
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


def segmentation_loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-pixel cross-entropy of scores ``(N, L, H, W)`` against labels ``(N, H, W)``; pixels at
    :data:`IGNORE_INDEX` count for nothing (the loss of :func:`wsl_lib.train.default_loss`)."""
    check_tensor("outputs", outputs, ndim=4, kind="float")
    check_tensor("targets", targets, ndim=3, kind="int")
    if targets.shape != (outputs.shape[0], *outputs.shape[2:]):
        raise ValueError(f"targets: expected label maps of shape {(outputs.shape[0], *outputs.shape[2:])} "
                         f"to match the outputs {tuple(outputs.shape)}, got {tuple(targets.shape)}")
    return default_loss(outputs, targets)


def train_segmenter(images: torch.Tensor, masks: torch.Tensor, num_labels: int, *, widths=(16, 32, 64),
                    encoder=None, encoder_channels: int | None = None, epochs: int = 5, lr: float = 3e-2,
                    batch_size: int = 32, seed: int = 0,
                    progress: bool = True, device=None) -> SmallSegmenter:
    """A :class:`SmallSegmenter` trained on ``images`` ``(N, 3, H, W)`` and label maps ``masks`` ``(N, H, W)``
    (exact masks or pseudo-masks, :data:`IGNORE_INDEX` where unknown) with :func:`wsl_lib.train.fit`."""
    check_tensor("masks", masks, ndim=3, kind="int")
    _check_label_map("masks", masks, num_labels, IGNORE_INDEX)
    seed_everything(seed)
    model = SmallSegmenter(num_labels, widths=widths, encoder=encoder, encoder_channels=encoder_channels)
    fit(model, images, masks, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
        loss_fn=segmentation_loss, device=device, progress=progress)
    return model


def predict_masks(model: nn.Module, images: torch.Tensor, *, batch_size: int = 250) -> torch.Tensor:
    """The label of highest score at each pixel: images ``(N, 3, H, W)`` -> ``(N, H, W)`` int64, on the CPU."""
    return predict(model, images, batch_size=batch_size).argmax(1)


# --------------------------------------------------------------------------- pictures

#: colours of labels 0 (background, black) and 1..6 (the Shapes classes); the ignore label is white
LABEL_COLOURS = torch.tensor([[0.0, 0.0, 0.0], [0.90, 0.10, 0.10], [0.10, 0.60, 0.90], [1.00, 0.80, 0.10],
                              [0.20, 0.80, 0.20], [0.80, 0.30, 0.90], [1.00, 0.50, 0.00], [0.55, 0.55, 0.55],
                              [0.40, 0.20, 0.10], [0.00, 0.50, 0.50], [0.60, 0.60, 0.20]])


def colourize(maps: torch.Tensor) -> torch.Tensor:
    """Label maps ``(N, H, W)`` -> colour images ``(N, 3, H, W)`` in [0, 1] (one fixed colour per label,
    :data:`IGNORE_INDEX` white), for :func:`wsl_lib.viz.show_images`."""
    check_tensor("maps", maps, ndim=3, kind="int")
    _check_label_map("maps", maps, len(LABEL_COLOURS), IGNORE_INDEX)
    maps = maps.detach().cpu().long()
    colours = torch.cat([LABEL_COLOURS, torch.ones(1, 3)])
    index = torch.where(maps == IGNORE_INDEX, len(LABEL_COLOURS), maps)
    return colours[index].permute(0, 3, 1, 2).contiguous()
