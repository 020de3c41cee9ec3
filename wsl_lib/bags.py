"""Bags: the data of multiple-instance learning, sets of digits with one label each (chapter 8).

A *bag* is a set of instances with one label. Under the standard assumption of
Dietterich et al. (1997) a bag is positive when at least one of its instances is
positive. Here an instance is one of scikit-learn's 8x8 handwritten digits and a bag is
positive when it holds the *target* digit, in the manner of Ilse et al.'s MNIST-bags
(:func:`make_bags`).

Bags have different sizes. A batch of ``B`` bags is one tensor ``(B, L, 1, 8, 8)``, ``L``
the largest bag, where the missing instances of smaller bags are *padding*: images whose
every pixel is :data:`PAD` (``-1``; real pixels lie in [0, 1]). So the tensor alone says
which instances are real (:func:`bag_mask`), and ``wsl.train.fit``, which hands the model one
tensor per batch, trains a ``wsl.mil.MILModel`` unchanged (:mod:`wsl_lib.mil` holds the models
and their scores).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ._checks import check_bag_mask, check_binary_labels, check_choice, check_number, check_same_length, check_tensor, describe
from .data import SPLITS, digit_pool, split_generator

__all__ = ["PAD", "Bags", "bag_mask", "make_bags", "witness_count"]

#: The pixel value of padding instances.
PAD = -1.0


def bag_mask(instances: torch.Tensor) -> torch.Tensor:
    """Which instances are real: bags ``(B, L, ...)`` -> mask ``(B, L)`` bool.

    An instance is padding when every one of its values equals :data:`PAD`.
    Raises ``ValueError`` for a bag with no real instance (an empty bag).

    Derived in chapter 8.
    """
    check_tensor("instances", instances, kind="float", finite=True)
    if instances.ndim < 2:
        raise ValueError(f"instances: expected bags (B, L, ...) with at least 2 dimensions, got {describe(instances)}")
    flat = instances.reshape(instances.shape[0], instances.shape[1], -1)
    return check_bag_mask((flat != PAD).any(2))


@dataclass
class Bags:
    """A set of ``B`` bags of 8x8 digit images, padded to the largest bag ``L``.

    Derived in chapter 8.

    Attributes:
        instances: ``(B, L, 1, 8, 8)`` float32, pixels in [0, 1]; padding instances are all :data:`PAD`.
        labels: ``(B,)`` int64, 1 when the bag holds the target digit, else 0: the only
            supervision a MIL model gets.
        instance_labels: ``(B, L)`` int64, 1 for each target digit (0 at padding): kept for
            *evaluation only*, never shown to a model during training.
        digits: ``(B, L)`` int64, the class 0-9 of every instance (-1 at padding).
        target: the target digit.
        split: ``"train"``, ``"val"`` or ``"test"``.

    ``bags[i]`` is the tuple ``(instances, label, instance_labels)`` of bag ``i``, padding included.
    """

    instances: torch.Tensor
    labels: torch.Tensor
    instance_labels: torch.Tensor
    digits: torch.Tensor
    target: int
    split: str

    def __post_init__(self):
        check_tensor("instances", self.instances, ndim=5, kind="float", finite=True)
        check_binary_labels("labels", check_tensor("labels", self.labels, ndim=1, kind="int"))
        check_binary_labels("instance_labels", check_tensor("instance_labels", self.instance_labels, ndim=2, kind="int"))
        check_tensor("digits", self.digits, ndim=2, kind="int")
        check_same_length(instances=self.instances, labels=self.labels, instance_labels=self.instance_labels,
                          digits=self.digits)
        check_number("target", self.target, low=0, high=9, integer=True)
        check_choice("split", self.split, SPLITS)
        mask = bag_mask(self.instances)
        if self.instance_labels.shape != mask.shape or self.digits.shape != mask.shape:
            raise ValueError(f"instance_labels: expected shape {tuple(mask.shape)} (one label per instance), "
                             f"got {tuple(self.instance_labels.shape)} and digits {tuple(self.digits.shape)}")
        implied = (self.instance_labels.bool() & mask).any(1).long()
        if not torch.equal(implied, self.labels):
            i = int((implied != self.labels).nonzero()[0])
            raise ValueError(f"labels: expected each bag label to be 1 exactly when the bag holds a positive instance "
                             f"(the standard MIL assumption), got label {int(self.labels[i])} for bag {i}")

    def __len__(self) -> int:
        return len(self.instances)

    def __getitem__(self, i):
        return self.instances[i], self.labels[i], self.instance_labels[i]

    def __repr__(self) -> str:
        sizes = self.sizes
        return (f"Bags(split={self.split!r}, {len(self)} bags of {int(sizes.min())} to {int(sizes.max())} digits, "
                f"{int(self.labels.sum())} positive (target digit {self.target}))")

    @property
    def mask(self) -> torch.Tensor:
        """``(B, L)`` bool: True for real instances, False for padding."""
        return bag_mask(self.instances)

    @property
    def sizes(self) -> torch.Tensor:
        """``(B,)`` int64: the number of real instances in each bag."""
        return self.mask.sum(1)

    def witness_rates(self) -> torch.Tensor:
        """``(B,)`` float: the fraction of positive instances in each bag (0 for negative bags)."""
        return self.instance_labels.sum(1) / self.sizes


def witness_count(size: int, witness_rate: float) -> int:
    """The number of positive instances in a positive bag of ``size`` instances:
    ``witness_rate * size`` rounded half up, at least 1 and at most ``size``.

    Used by :func:`make_bags` (chapter 8).
    """
    check_number("size", size, low=1, integer=True)
    check_number("witness_rate", witness_rate, low=0.0, high=1.0, low_open=True)
    return min(size, max(1, int(witness_rate * size + 0.5)))


def make_bags(n: int = 200, *, split: str = "train", seed: int = 0, target: int = 9, bag_size: int = 10,
              spread: int = 0, witness_rate: float = 0.1) -> Bags:
    """``n`` bags of scikit-learn's 8x8 digits; a bag is positive when it holds the ``target`` digit.

    Derived in chapter 8.

    Args:
        n: number of bags; half of them (rounded down, in random order) are positive.
        split: ``"train"``, ``"val"`` or ``"test"``: the splits draw on disjoint pools of the
            1,797 digits (a fixed permutation, the one of ``wsl.data.make_digits``).
        seed: the same ``(seed, split)`` always gives the same bags (for a given ``WSL_SEED``).
        target: the digit that makes a bag positive.
        bag_size, spread: each bag's size is drawn uniformly from the integers
            ``bag_size - spread`` to ``bag_size + spread`` (``spread=0``: every bag has ``bag_size``).
        witness_rate: in (0, 1], the fraction of target digits in a positive bag: a positive bag
            of ``m`` instances holds exactly :func:`witness_count` ``(m, witness_rate)`` of them, at
            random places; the other instances, and every instance of a negative bag, are
            other digits, drawn uniformly from the split's pool.

    Returns:
        :class:`Bags`, with instances ``(n, bag_size + spread, 1, 8, 8)`` (padded).

    Examples:
        >>> bags = wsl.bags.make_bags(4, bag_size=5, witness_rate=0.4)
        >>> bags.instances.shape
        torch.Size([4, 5, 1, 8, 8])
        >>> sorted(bags.instance_labels.sum(1).tolist())      # two positive bags with two 9s each
        [0, 0, 2, 2]
    """
    check_number("n", n, low=1, integer=True)
    check_choice("split", split, SPLITS)
    check_number("seed", seed, low=0, integer=True)
    check_number("target", target, low=0, high=9, integer=True)
    check_number("bag_size", bag_size, low=1, integer=True)
    check_number("spread", spread, low=0, high=bag_size - 1, integer=True)
    check_number("witness_rate", witness_rate, low=0.0, high=1.0, low_open=True)
    g = split_generator(seed, split, salt=3)
    images, classes, pools = digit_pool()
    pool = torch.as_tensor(pools[split])
    is_target = torch.as_tensor(classes)[pool] == target
    positives, negatives = pool[is_target], pool[~is_target]

    labels = (torch.arange(n) % 2)[torch.randperm(n, generator=g)]                       # (n,) half positive
    sizes = torch.randint(bag_size - spread, bag_size + spread + 1, (n,), generator=g)   # (n,)
    length = bag_size + spread
    real = torch.arange(length)[None, :] < sizes[:, None]                                # (n, L)
    witnesses = torch.tensor([witness_count(int(m), witness_rate) for m in sizes]) * labels  # (n,)
    # a random order of each bag's real instances: the first `witnesses` of them are the target digits
    keys = torch.rand(n, length, generator=g).masked_fill(~real, 2.0)
    rank = keys.argsort(dim=1, stable=True).argsort(dim=1, stable=True)                       # (n, L)
    instance_labels = ((rank < witnesses[:, None]) & real).long()
    pick_pos = positives[torch.randint(len(positives), (n, length), generator=g)]
    pick_neg = negatives[torch.randint(len(negatives), (n, length), generator=g)]
    source = torch.where(instance_labels.bool(), pick_pos, pick_neg)                     # (n, L) digit indices
    instances = torch.as_tensor(images, dtype=torch.float32)[source][:, :, None]         # (n, L, 1, 8, 8)
    instances = instances.masked_fill(~real[:, :, None, None, None], PAD)
    digits = torch.as_tensor(classes)[source].long().masked_fill(~real, -1)
    return Bags(instances, labels, instance_labels, digits, int(target), split)
