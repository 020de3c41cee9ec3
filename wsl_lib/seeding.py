"""Seeds: every random choice of the book, and the one knob that shifts them all.

Every random number the book draws (generated images, initial weights, the order of
training batches, augmentation) comes from a seed passed to a wsl_lib function,
``make_shapes(..., seed=0)`` or ``fit(..., seed=0)`` say. Those seeds are turned into
random-number generators here, and only here, so one environment variable can move
the whole book to another draw of its randomness:

* ``WSL_SEED`` (default ``0``): the *run seed*, a non-negative integer. Every seed ``s``
  that wsl_lib uses becomes ``s + SEED_STRIDE * WSL_SEED``. With ``WSL_SEED=0`` (or unset)
  nothing changes and the book computes exactly what it shows; with ``WSL_SEED=3`` every
  dataset, every initialization and every shuffle is a different draw, and every finding
  of the book should still hold (``make robustness`` checks that, see the page
  "How robust are the findings").

The run seed also enters the model cache key (:mod:`wsl_lib.cache`), so models trained
under one run seed are never loaded under another. Fixed *splits* of real data (which
of scikit-learn's 1,797 handwritten digits are training, validation or test sources) are
not random choices of a run and do not move, like the split of a published dataset.

Introduced on the pages "Running this book" and "How robust are the findings".
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from ._checks import check_number

__all__ = [
    "ENV_VAR", "fixed_permutation", "generator", "run_seed", "seed_everything", "SEED_STRIDE", "shifted"
]

ENV_VAR = "WSL_SEED"
SEED_STRIDE = 1000   # seeds 0..999 of one run never meet those of the next run seed


def run_seed() -> int:
    """The run seed from the environment variable ``WSL_SEED`` (0 when unset or empty).

    Raises ``ValueError`` naming the variable when it is not a non-negative integer.

    Through :func:`shifted` it moves every seed of every chapter; the pages "Running this book" and
    "How robust are the findings" introduce it.
    """
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return 0
    if not text.isdigit():     # no sign, no decimal point, no exponent: digits only
        raise ValueError(f"{ENV_VAR}: expected a non-negative integer such as 0 or 3, got {text!r}")
    return int(text)


def shifted(seed: int) -> int:
    """``seed + SEED_STRIDE * run_seed()``: the seed wsl_lib actually uses for ``seed``.

    Behind every seed of every chapter, from the first look on: :func:`generator`,
    :func:`seed_everything` and :mod:`wsl_lib.data` use it.
    """
    check_number("seed", seed, low=0, integer=True)
    return int(seed) + SEED_STRIDE * run_seed()


def generator(seed: int, device=None, *, stream: int | None = None) -> torch.Generator:
    """A ``torch.Generator`` on ``device`` (default: the CPU) seeded with :func:`shifted` ``(seed)``.

    ``stream`` (a non-negative int, or None) picks one of many independent streams of the same
    seed: the generator is then seeded with ``shifted(seed) * 1_000_003 + stream``. The datasets
    use it, one stream per (split, generator), so that ``make_shapes(seed=0, split="train")`` and
    ``make_digits(seed=0, split="test")`` never share random numbers.

    Used by :func:`wsl_lib.train.fit`, the datasets of :mod:`wsl_lib.data` and :mod:`wsl_lib.bags`,
    chapter 9's :func:`wsl_lib.noise.corrupt_labels` and the exercise checkers; section 7.9 of
    chapter 7 calls it directly.
    """
    value = shifted(seed)
    if stream is not None:
        check_number("stream", stream, low=0, integer=True)
        value = value * 1_000_003 + int(stream)
    return torch.Generator(device=device if device is not None else "cpu").manual_seed(value)


def fixed_permutation(n: int, seed: int = 0) -> np.ndarray:
    """A permutation of ``range(n)`` that the run seed does **not** move: the fixed split of a
    real dataset (which of scikit-learn's digits are training, validation or test sources), like
    the split of a published dataset. NumPy's ``RandomState(seed)``, whose stream NumPy keeps
    stable across versions. Behind Cluttered Digits (chapter 1) and chapter 8's bags.
    """
    check_number("n", n, low=0, integer=True)
    check_number("seed", seed, low=0, integer=True)
    return np.random.RandomState(seed).permutation(n)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (CPU and every GPU) with :func:`shifted` ``(seed)``,
    and ask cuDNN for deterministic kernels.

    Every chapter calls it, as ``wsl.seeding.seed_everything``, from the first look on.
    """
    actual = shifted(seed)
    random.seed(actual)
    np.random.seed(actual % 2**32)
    torch.manual_seed(actual)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
