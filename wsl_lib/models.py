"""Classifiers whose last convolutional features can be turned into class activation maps.

Every model here has the same interface:

* ``model.features(x)``: images ``(N, 3, H, W)`` -> feature maps ``(N, K, h, w)``, the
  ``f_k(x, y)`` of the CAM paper (non-negative: they come out of a ReLU);
* ``model.classifier``: the final ``nn.Linear``, whose weight ``(C, K)`` holds the ``w_k^c``;
* ``model(x)``: the class scores (logits) ``(N, C)``.

:class:`SmallCNN` is a small, fast body with three heads: global average pooling
(``"gap"``, the CAM design), global max pooling (``"gmp"``) and flatten + fully
connected (``"flatten"``, the design GAP replaced). :func:`resnet18_cam` wraps a
torchvision ResNet-18 (random weights) in the same interface (the tests use it to check
wsl_lib's maps against TorchCAM's and pytorch-grad-cam's).

:class:`BoxRegressor` (chapter 1's fully supervised localizer) and :class:`SmallSegmenter`
(chapter 5's segmenter) are the book's other two models.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from ._checks import check_choice, check_number, check_tensor

__all__ = [
    "BoxRegressor", "check_cam_ready", "HEADS", "resnet18_cam", "ResNetCAM", "SmallCNN", "SmallSegmenter"
]

HEADS = ("gap", "gmp", "flatten")


def _conv_block(c_in: int, c_out: int, stride: int = 1) -> list:
    return [nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class _CAMInterface(nn.Module):
    """What every CAM-ready classifier here shares: ``features`` (the body), ``pool`` (the head) and
    ``forward``. A subclass sets ``self.body``, ``self.head`` (one of :data:`HEADS`) and
    ``self.classifier``."""

    body: nn.Module
    head: str
    classifier: nn.Linear

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Images ``(N, 3, H, W)`` -> last convolutional feature maps ``(N, K, h, w)``."""
        check_tensor("x", x, ndim=4, kind="float")
        return self.body(x)

    def pool(self, features: torch.Tensor) -> torch.Tensor:
        """Feature maps ``(N, K, h, w)`` -> the classifier's input ``(N, K)`` (``(N, K*h*w)`` for flatten)."""
        if self.head == "gap":
            return features.mean(dim=(2, 3))
        if self.head == "gmp":
            return features.amax(dim=(2, 3))
        return features.flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images ``(N, 3, H, W)`` -> logits ``(N, C)``."""
        return self.classifier(self.pool(self.features(x)))


class SmallCNN(_CAMInterface):
    """A small CNN: convolutional body, then a GAP, GMP or flatten head and a linear classifier.

    The body is a stride-2 stem followed by one 3x3 convolution per entry of
    ``widths[1:]``, with a 2x2 max pooling before each stage after the first, so
    that features have ``2 ** (len(widths) - 1)`` times fewer rows and columns than
    the input. With the default widths ``(16, 32, 64, 128)``, a 64x64 image gives
    128 feature maps of 8x8; adding a stage, ``(16, 32, 64, 128, 128)``, gives 4x4.

    Used first in the first look (through :func:`wsl_lib.recipes.trained_classifier`); derived in
    chapter 2.

    Args:
        num_classes: number of classes ``C``.
        head: ``"gap"`` (global average pooling), ``"gmp"`` (global max pooling)
            or ``"flatten"`` (all ``K * h * w`` feature values into the classifier).
        widths: channels of the stem and of each stage.
        image_size: input height and width; only the flatten head depends on it.
    """

    def __init__(self, num_classes: int, head: str = "gap", widths=(16, 32, 64, 128), image_size: int = 64):
        super().__init__()
        check_number("num_classes", num_classes, low=1, integer=True)
        check_choice("head", head, HEADS)
        if not isinstance(widths, (tuple, list)) or len(widths) < 2 or not all(isinstance(w, int) and w > 0 for w in widths):
            raise ValueError(f"widths: expected a tuple of at least two positive ints, got {widths!r}")
        self.head = head
        self.feature_stride = 2 ** (len(widths) - 1)
        check_number("image_size", image_size, low=self.feature_stride, integer=True)
        if image_size % self.feature_stride:
            raise ValueError(f"image_size: expected a multiple of the feature stride {self.feature_stride}, got {image_size}")
        layers = _conv_block(3, widths[0], stride=2)
        for i, (c_in, c_out) in enumerate(zip(widths[:-1], widths[1:])):
            if i > 0:
                layers.append(nn.MaxPool2d(2))
            layers += _conv_block(c_in, c_out)
        self.body = nn.Sequential(*layers)
        self.num_features = widths[-1]
        side = image_size // self.feature_stride
        in_features = self.num_features * side * side if head == "flatten" else self.num_features
        self.classifier = nn.Linear(in_features, num_classes)


class BoxRegressor(nn.Module):
    """A fully supervised localizer: the :class:`SmallCNN` body, GAP, and a linear layer to one box.

    It predicts the centre, width and height as fractions of the image (a sigmoid keeps them in
    [0, 1]) and returns the box ``(N, 4)`` as ``(x1, y1, x2, y2)`` in pixels, so ``x2 >= x1`` always.
    Train it on ground-truth boxes with :func:`wsl_lib.train.box_loss`.

    Derived in chapter 1; chapter 6 uses it too.
    """

    def __init__(self, widths=(16, 32, 64, 128), image_size: int = 64):
        super().__init__()
        check_number("image_size", image_size, low=8, integer=True)
        self.image_size = image_size
        self.body = SmallCNN(1, widths=widths, image_size=image_size).body
        self.regressor = nn.Linear(widths[-1], 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images ``(N, 3, H, W)`` -> boxes ``(N, 4)`` in pixel-edge coordinates."""
        check_tensor("x", x, ndim=4, kind="float")
        cx, cy, w, h = torch.sigmoid(self.regressor(self.body(x).mean(dim=(2, 3)))).unbind(1)
        half_w, half_h = w * self.image_size / 2, h * self.image_size / 2
        cx, cy = cx * self.image_size, cy * self.image_size
        return torch.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], 1)


class ResNetCAM(_CAMInterface):
    """A torchvision ResNet seen through the CAM interface (it shares the ResNet's modules).

    ``features`` is everything up to ``layer4``; the ResNet's own average pooling is
    global average pooling, and ``classifier`` is its ``fc`` layer, so
    ``model(x)`` equals ``resnet(x)`` exactly.

    No chapter uses it: the tests and benchmarks check chapter 3's CAMs on it against TorchCAM's.
    """

    head = "gap"

    def __init__(self, resnet: torchvision.models.ResNet):
        super().__init__()
        if not isinstance(resnet, torchvision.models.ResNet):
            raise TypeError(f"resnet: expected a torchvision.models.ResNet, got {type(resnet).__name__}")
        self.body = nn.Sequential(resnet.conv1, resnet.bn1, resnet.relu, resnet.maxpool,
                                  resnet.layer1, resnet.layer2, resnet.layer3, resnet.layer4)
        self.classifier = resnet.fc
        self.num_features = resnet.fc.in_features


def resnet18_cam(num_classes: int = 1000, small_input: bool = False) -> ResNetCAM:
    """A torchvision ResNet-18 with random weights (nothing is downloaded), CAM-ready.

    With ``small_input=True`` the 7x7 stride-2 stem and the max pooling are replaced
    by a 3x3 stride-1 convolution, the usual change for small images: a 64x64 input
    then gives 8x8 feature maps instead of 2x2.

    No chapter uses it: the tests use it to check chapter 3's CAMs on a standard network.
    """
    check_number("num_classes", num_classes, low=1, integer=True)
    resnet = torchvision.models.resnet18(weights=None, num_classes=num_classes)
    if small_input:
        resnet.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        resnet.maxpool = nn.Identity()
    return ResNetCAM(resnet)


def check_cam_ready(model: nn.Module) -> nn.Module:
    """Check that ``model`` exposes ``features`` and a linear ``classifier`` (the CAM interface).

    The model check of :func:`wsl_lib.cam.compute_cams` and :func:`wsl_lib.cam.cam_identity_gap`
    (chapter 3).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    if not callable(getattr(model, "features", None)) or not isinstance(getattr(model, "classifier", None), nn.Linear):
        raise TypeError(f"model: expected a model with a features(x) method and an nn.Linear classifier "
                        f"(see wsl_lib.models), got {type(model).__name__}")
    if getattr(model, "head", "gap") == "flatten":
        raise ValueError("model: expected a GAP or GMP head, got a flatten + fully connected head, which has no "
                         "class activation map (its weights are per position, not per channel)")
    return model


class SmallSegmenter(nn.Module):
    """A small encoder-decoder segmenter: images ``(N, 3, H, W)`` -> label scores ``(N, L, H, W)``.

    A stride-2 stem keeps fine detail; deep features at stride 8 come either from two stages of
    its own (max pooling, then a 3x3 convolution, twice) or from a given ``encoder`` module,
    such as a copy of the body of the book's classifier (``copy.deepcopy(classifier.body)``),
    which is then trained with the rest: the segmenter starts from what the classifier learned
    from image labels and fine-tunes it, as real segmenters fine-tune an ImageNet classifier.
    The decoder reduces the deep features to ``2 * widths[0]`` channels (a 1x1 convolution),
    upsamples them to the stem's resolution, concatenates the two (a skip connection, as in
    U-Net), mixes them with a 3x3 convolution, reads label scores
    ``L = num_labels`` (background included) with a 1x1 convolution, and upsamples them to the
    input's size.

    Derived in chapter 5, which trains it with :func:`wsl_lib.segment.train_segmenter`.

    Args:
        num_labels: labels ``L``, background included.
        widths: channels of the stem and of the two deep stages (the latter unused with an encoder).
        encoder: ``None``, or an ``nn.Module`` mapping images to features ``(N, K, H/8, W/8)``;
            then ``encoder_channels = K`` is required. Its weights are trained (pass a copy to
            keep the original).
    """

    def __init__(self, num_labels: int, widths=(16, 32, 64), *, encoder: nn.Module | None = None,
                 encoder_channels: int | None = None):
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
            if not isinstance(encoder, nn.Module):
                raise TypeError(f"encoder: expected a torch.nn.Module (e.g. copy.deepcopy(classifier.body)), "
                                f"got {type(encoder).__name__}")
            check_number("encoder_channels", encoder_channels, low=1, integer=True)
            self.encoder = encoder
            channels = encoder_channels
        self.lateral = nn.Conv2d(channels, 2 * widths[0], 1)          # deep features, fewer channels
        self.decode = nn.Sequential(*_conv_block(3 * widths[0], widths[0]), nn.Conv2d(widths[0], num_labels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=4, kind="float")
        stem = self.stem(x)                                                  # (N, w0, H/2, W/2)
        deep = self.encoder(x) if hasattr(self, "encoder") else self.deep(stem)   # (N, K, H/8, W/8)
        up = F.interpolate(self.lateral(deep), size=stem.shape[-2:], mode="bilinear", align_corners=False)
        scores = self.decode(torch.cat([stem, up], 1))                       # (N, L, H/2, W/2)
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)
