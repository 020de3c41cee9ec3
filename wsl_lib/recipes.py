"""The book's recipes: the classifier every chapter shares, trained once and kept in the model cache.

:func:`trained_classifier` generates the training images of one of the book's datasets, builds
a :class:`wsl_lib.models.SmallCNN`, trains it with :func:`wsl_lib.train.fit` and keeps the
weights in the per-user cache (:mod:`wsl_lib.cache`), so that a later chapter that asks for the
same recipe loads the same model instead of training it again.

Used from the first look on; chapter 2 trains the GAP model with the defaults.
"""

from __future__ import annotations

import torch

from . import cache
from .augment import HIDE_AND_SEEK_GRIDS, hide_and_seek
from .data import DIGIT_CLASSES, SHAPE_CLASSES, make_digits, make_shapes
from .models import SmallCNN
from .seeding import seed_everything
from .train import default_device, fit

__all__ = ["AUGMENTS", "CLASS_NAMES", "DATASETS", "trained_classifier"]

#: The book's datasets by name.
DATASETS = {"shapes": make_shapes, "digits": make_digits}
#: Each dataset's class names.
CLASS_NAMES = {"shapes": SHAPE_CLASSES, "digits": DIGIT_CLASSES}
#: The augmentations that :func:`trained_classifier` knows by name (a name, not a function, so
#: that it enters the cache key).
AUGMENTS = {"hide_and_seek": lambda: hide_and_seek(grid=HIDE_AND_SEEK_GRIDS, p=0.5, fill=0.5)}


def trained_classifier(dataset: str = "shapes", *, head: str = "gap", widths=(16, 32, 64, 128),
                       n_train: int = 12000, epochs: int = 2, lr: float = 1e-2, batch_size: int = 64,
                       seed: int = 0, augment: str | None = None, use_cache: bool = True, progress: bool = False,
                       device=None) -> SmallCNN:
    """The book's classifier recipe: a :class:`wsl_lib.models.SmallCNN` trained with image-level labels only.

    Generates ``n_train`` training images of ``dataset`` (``"shapes"`` or ``"digits"``)
    with ``seed``, trains for ``epochs`` epochs of ``batch_size`` images and returns the model in eval mode on
    ``device``. Chapter 2 trains the GAP model with the defaults; later chapters call
    this function again and get the same model, from the per-user cache when it
    holds one (see :mod:`wsl_lib.cache`), or trained afresh, deterministically.
    No progress bar by default (``progress=True`` shows one): a notebook then prints the same
    whether the model was trained or loaded from the cache. ``augment`` names a training-time
    augmentation of :data:`AUGMENTS` (``"hide_and_seek"``: :func:`wsl_lib.augment.hide_and_seek`
    with the paper's patch sizes in proportion, chapter 7), or None.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset: expected one of {', '.join(map(repr, DATASETS))}, got {dataset!r}")
    if augment is not None and augment not in AUGMENTS:
        raise ValueError(f"augment: expected None or one of {', '.join(map(repr, AUGMENTS))}, got {augment!r}")
    device = torch.device(device) if device is not None else default_device()
    config = dict(recipe="classifier", dataset=dataset, head=head, widths=list(widths), n_train=n_train,
                  epochs=epochs, lr=lr, batch_size=batch_size, seed=seed, augment=augment, device=device.type)

    def make():
        seed_everything(seed)                                     # the initial weights depend on the seed only
        return SmallCNN(len(CLASS_NAMES[dataset]), head=head, widths=tuple(widths))

    def train(model):
        data = DATASETS[dataset](n_train, split="train", seed=seed)
        fit(model, data.images, data.labels, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, device=device,
            progress=progress, augment=AUGMENTS[augment]() if augment else None)

    return cache.cached_model(config, make, train, use_cache=use_cache).to(device).eval()
