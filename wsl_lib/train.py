"""Training: a small training loop with a text progress bar, its losses, prediction and accuracy.

Generic: it knows nothing of the book's datasets or models (the book's recipes, which train the
classifier every chapter shares and keep it in the model cache, are in :mod:`wsl_lib.recipes`).
Seeds go through :mod:`wsl_lib.seeding`.

The progress bar is plain-text ``tqdm`` written to standard output, with no
timings in it, so that a notebook's stored output is the same on every machine
and renders cleanly in the HTML book (``tqdm.auto`` would produce a widget).

Used from the first look on; the training rule of the budget comparison is in chapter 1.
"""

from __future__ import annotations

import sys
from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from tqdm import tqdm

from ._checks import check_number, check_same_length, check_tensor, describe
from .conventions import IGNORE_INDEX
from .seeding import generator, seed_everything

__all__ = ["FitResult", "accuracy", "box_loss", "default_device", "default_loss", "fit", "predict"]


class FitResult(NamedTuple):
    """What :func:`fit` returns (from chapter 1 on, where :func:`fit` is first called directly)."""

    loss: list
    """The mean training loss of each epoch, epoch 1 first."""


def default_device() -> torch.device:
    """CUDA when a GPU is present, otherwise the CPU.

    Used by :func:`fit` and :func:`wsl_lib.recipes.trained_classifier`, from the first look on.
    """
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def default_loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy for integer targets (class per image ``(N,)`` or per pixel ``(N, H, W)``,
    where :data:`wsl_lib.conventions.IGNORE_INDEX` marks pixels to ignore); binary cross-entropy for float multi-hot targets ``(N, C)``.

    The loss of :func:`fit` when none is given, from the first look on; chapter 5's segmenter uses
    it per pixel.
    """
    check_tensor("outputs", outputs, kind="float")
    check_tensor("targets", targets, kind="real")
    check_same_length(outputs=outputs, targets=targets)
    if targets.is_floating_point():
        if targets.shape != outputs.shape:
            raise ValueError(f"targets: expected multi-hot targets of the outputs' shape {tuple(outputs.shape)}, "
                             f"got shape {tuple(targets.shape)}")
        return F.binary_cross_entropy_with_logits(outputs, targets)
    return F.cross_entropy(outputs, targets, ignore_index=IGNORE_INDEX)


def box_loss(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Loss for box regression: generalized IoU loss plus L1 on coordinates scaled by the box size.

    ``predicted`` and ``target`` are ``(N, 4)`` boxes ``(x1, y1, x2, y2)`` in pixels.

    Derived in chapter 1; chapter 6 uses it too.
    """
    check_tensor("predicted", predicted, shape=(None, 4), kind="float", finite=True)
    check_tensor("target", target, shape=(None, 4), kind="float", finite=True)
    check_same_length(predicted=predicted, target=target)
    giou = torchvision.ops.generalized_box_iou_loss(predicted, target, reduction="mean")
    scale = (target[:, 2:] - target[:, :2]).clamp(min=1.0).repeat(1, 2)
    return giou + ((predicted - target).abs() / scale).mean()


def fit(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, *, epochs: int = 2,
        batch_size: int = 64, lr: float = 1e-2, weight_decay: float = 1e-4, seed: int = 0,
        loss_fn: Callable | None = None, augment: Callable | None = None,
        on_epoch: Callable[[int, nn.Module], None] | None = None,
        device: torch.device | str | None = None, progress: bool = True) -> FitResult:
    """Train ``model`` in place with AdamW and a one-cycle learning-rate schedule.

    Used from the first look on (through :func:`wsl_lib.recipes.trained_classifier`); chapter 1 is the first to call
    it directly.

    Args:
        model: any module mapping a batch of ``inputs`` to outputs for ``loss_fn``.
        inputs: ``(N, ...)`` tensor, e.g. images ``(N, 3, H, W)``.
        targets: ``(N, ...)`` tensor: class indices ``(N,)``, multi-hot ``(N, C)``,
            pixel classes ``(N, H, W)``, boxes ``(N, 4)``...
        epochs, batch_size, lr, weight_decay: the usual; ``lr`` is the peak rate.
        seed: seeds the shuffling and every random number drawn during training.
        loss_fn: ``loss_fn(outputs, targets) -> scalar``; :func:`default_loss` if None.
        augment: optional ``augment(x, y, generator) -> (x, y)`` applied to each batch
            on the training device (for example an erasing or mixing augmentation).
        on_epoch: optional ``on_epoch(epoch, model)``, called after each epoch (``epoch`` counted
            from 1) with the model being trained: after epochs 1 to ``epochs - 1`` as it stands
            (training mode, channels-last memory), after the last epoch as ``fit`` returns it
            (eval mode, default memory format). What it returns is ignored. Training stays that of
            ``fit`` alone if it changes no weight or statistic and draws no random number (put the
            model in eval mode under ``torch.no_grad()`` to evaluate it, then back, as
            :func:`wsl_lib.noise.fit_recording` does).
        device: where to train; :func:`default_device` if None. The model stays there.
        progress: show a text progress bar.

    Returns:
        A :class:`FitResult`: ``loss``, the mean training loss of each epoch.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    check_tensor("inputs", inputs, kind="float", finite=True)
    check_tensor("targets", targets, kind="real")
    check_same_length(inputs=inputs, targets=targets)
    check_number("epochs", epochs, low=1, integer=True)
    check_number("batch_size", batch_size, low=1, integer=True)
    check_number("lr", lr, low=0.0, low_open=True)
    check_number("weight_decay", weight_decay, low=0.0)
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(f"on_epoch: expected None or a function on_epoch(epoch, model), got {describe(on_epoch)}")
    loss_fn = loss_fn or default_loss
    device = torch.device(device) if device is not None else default_device()
    seed_everything(seed)
    g = generator(seed)
    aug_g = generator(seed, device=device)
    model.to(device).train()
    images = inputs.ndim == 4
    if images:  # channels-last memory makes convolutions much faster on the CPU (equal up to rounding)
        model.to(memory_format=torch.channels_last)
    n = len(inputs)
    steps_per_epoch = max(1, n // batch_size)                  # drop the last partial batch
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch,
                                                   pct_start=0.2)
    losses = []
    for epoch in range(epochs):
        order = torch.randperm(n, generator=g)
        total = 0.0
        # one bar per epoch; no timings in it, so the stored output is the same on every machine
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{epochs}", file=sys.stdout, disable=not progress,
                   ncols=72, mininterval=0, miniters=1, bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}")
        for step in bar:
            idx = order[step * batch_size:(step + 1) * batch_size]
            x, y = inputs[idx].to(device), targets[idx].to(device)
            if images:
                x = x.contiguous(memory_format=torch.channels_last)
            if augment is not None:
                x, y = augment(x, y, aug_g)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item()
        losses.append(total / steps_per_epoch)
        if on_epoch is not None and epoch + 1 < epochs:
            on_epoch(epoch + 1, model)
    # back to the default memory format: the trained model then computes bit for bit as a copy
    # loaded from its saved weights does, so a notebook prints the same with a cold or a warm cache
    model.to(memory_format=torch.contiguous_format).eval()
    if on_epoch is not None:
        on_epoch(epochs, model)
    return FitResult(loss=losses)


@torch.no_grad()
def predict(model: nn.Module, inputs: torch.Tensor, *, batch_size: int = 500) -> torch.Tensor:
    """Outputs of ``model`` (in eval mode) for ``inputs`` ``(N, ...)``, in batches, on the CPU.

    Used from the first look on.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    check_tensor("inputs", inputs, kind="float")
    check_number("batch_size", batch_size, low=1, integer=True)
    model.eval()
    device = next(model.parameters()).device
    return torch.cat([model(inputs[i:i + batch_size].to(device)).cpu() for i in range(0, len(inputs), batch_size)])


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, C)`` whose largest entry is at ``labels`` ``(N,)``.

    Used from the first look on.
    """
    check_tensor("logits", logits, ndim=2, kind="float")
    check_tensor("labels", labels, ndim=1, kind="int")
    check_same_length(logits=logits, labels=labels)
    return float((logits.argmax(1) == labels.to(logits.device)).float().mean())
