"""Training throughput: wsl_lib's ``fit`` against a bare PyTorch loop, on the book's three trained models.

    python benchmarks/bench_train.py                        # 20 steps a round, 3 rounds, 1 thread
    python benchmarks/bench_train.py --steps 10 --rounds 5 --setups classifier

Three set-ups, each as the book trains it (CPU, random images of 64x64 in [0, 1] and random
targets from a seeded generator: the time of a step does not depend on what the pixels show):

* ``classifier``: ``wsl.models.SmallCNN(6)``, batch 64, ``fit``'s defaults (AdamW at lr 1e-2,
  weight decay 1e-4, one-cycle schedule, cross-entropy), as ``wsl.recipes.trained_classifier``
  trains it;
* ``box regressor``: ``wsl.models.BoxRegressor()``, ``loss_fn=wsl.train.box_loss``, batch 32,
  lr 3e-3, as chapter 6 trains its few-shot localizer;
* ``segmenter``: ``wsl.models.SmallSegmenter(7, encoder=<a SmallCNN body>, encoder_channels=128)``,
  ``wsl.segment.segmentation_loss``, batch 16, lr 1e-2, as chapter 5 trains it with
  ``wsl.segment.train_segmenter`` (its encoder a copy of the classifier's body).

Methods, each training a fresh copy of the same initial weights on the same in-memory tensors
for one epoch of ``--steps`` batches (``steps * batch`` images):

* ``fit``: ``wsl.train.fit(model, images, targets, epochs=1, batch_size=..., lr=..., loss_fn=...,
  progress=False, device="cpu")``, everything it does included (its argument checks, the loss
  functions' checks, seeding, the moves to and from channels-last memory).
* ``bare``: the plainest fast loop that trains the same way: the model in training mode and
  channels-last memory (as ``fit`` does; on the CPU it makes the convolutions much faster),
  ``AdamW`` with the same lr and weight decay, the same ``OneCycleLR`` (``pct_start=0.2``), one
  ``torch.randperm`` per epoch, each batch indexed from the tensors and made channels-last,
  ``zero_grad(set_to_none=True)``, backward, step, schedule step, ``loss.item()`` summed (the
  epoch's mean loss, which ``fit`` reports too). Its losses are the same formulas as wsl_lib's,
  written without their argument checks (``F.cross_entropy`` with wsl_lib's ignore index; the
  generalized IoU loss plus scaled L1 of ``box_loss``). No progress bar, no seeding, no checks.

Before timing, the two are checked to compute the same thing: from the same weights, with the
batch order drawn from the generator ``fit`` uses (``wsl.seeding.generator(seed)``), a short
run of each must leave every weight and batch-norm statistic identical; the check is printed.
It is also the warm-up. Then the two alternate in ``--rounds`` rounds (which one goes first
alternates too), so that a change in the machine's load hits both alike; the table gives
the median images per second of each and the ratio ``fit / bare`` (the target: 0.90 or more).
Both run on ``--threads`` threads (default 1, as in bench_sweep.py: the numbers then depend
least on what else the machine is doing).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import wsl_lib as wsl  # noqa: E402

SEED = 0


class Setup(NamedTuple):
    """One trained model of the book: how to build it, its data, and how it is trained."""

    model: Callable[[], torch.nn.Module]                  # a fresh model (the caller seeds it)
    data: Callable[[int, torch.Generator], tuple]         # (n, generator) -> (images, targets)
    batch: int
    lr: float
    loss: Callable | None                                 # fit's loss_fn (None: fit's default)
    bare_loss: Callable                                   # the same formula, without checks
    weight_decay: float = 1e-4                            # fit's default


def cross_entropy(outputs, targets):
    """``wsl.train.default_loss`` (and ``segmentation_loss``) for integer targets, without its checks."""
    return F.cross_entropy(outputs, targets, ignore_index=wsl.conventions.IGNORE_INDEX)


def plain_box_loss(predicted, target):
    """``wsl.train.box_loss`` without its checks: generalized IoU loss plus L1 scaled by the box size."""
    giou = torchvision.ops.generalized_box_iou_loss(predicted, target, reduction="mean")
    scale = (target[:, 2:] - target[:, :2]).clamp(min=1.0).repeat(1, 2)
    return giou + ((predicted - target).abs() / scale).mean()


def _images(n, size, g):
    return torch.rand(n, 3, size, size, generator=g)


def _classes(size, classes):
    return lambda n, g: (_images(n, size, g), torch.randint(0, classes, (n,), generator=g))


def _boxes(size):
    def data(n, g):
        corner = torch.rand(n, 2, generator=g) * size * 0.6
        extent = (0.2 + 0.4 * torch.rand(n, 2, generator=g)) * size
        return _images(n, size, g), torch.cat([corner, (corner + extent).clamp(max=size)], 1)
    return data


def _label_maps(size, labels):
    return lambda n, g: (_images(n, size, g), torch.randint(0, labels, (n, size, size), generator=g))


def setups(tiny: bool = False) -> dict:
    """``{name: Setup}``: the book's three set-ups, or (``tiny``) the same with narrow models on 16x16 images, batch 4."""
    size, body = (16, (4, 4, 4, 8)) if tiny else (64, (16, 32, 64, 128))
    batch = {"classifier": 4, "box regressor": 4, "segmenter": 4} if tiny else \
        {"classifier": 64, "box regressor": 32, "segmenter": 16}
    models = wsl.models
    return {
        "classifier": Setup(lambda: models.SmallCNN(6, widths=body, image_size=size), _classes(size, 6),
                            batch["classifier"], 1e-2, None, cross_entropy),
        "box regressor": Setup(lambda: models.BoxRegressor(widths=body, image_size=size), _boxes(size),
                               batch["box regressor"], 3e-3, wsl.train.box_loss, plain_box_loss),
        "segmenter": Setup(lambda: models.SmallSegmenter(7, widths=(body[0], body[1], body[2]),
                                                         encoder=models.SmallCNN(6, widths=body, image_size=size).body,
                                                         encoder_channels=body[-1]),
                           _label_maps(size, 7), batch["segmenter"], 1e-2, wsl.segment.segmentation_loss,
                           cross_entropy),
    }


def bare_fit(model, inputs, targets, *, epochs, batch_size, lr, weight_decay, loss_fn, generator) -> list:
    """The bare loop (see the module's docstring); the mean loss of each epoch."""
    model.train()
    model.to(memory_format=torch.channels_last)
    n = len(inputs)
    steps = max(1, n // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps, pct_start=0.2)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for step in range(steps):
            idx = order[step * batch_size:(step + 1) * batch_size]
            x = inputs[idx].contiguous(memory_format=torch.channels_last)
            loss = loss_fn(model(x), targets[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item()
        losses.append(total / steps)
    return losses


def runners(setup: Setup, inputs, targets) -> dict:
    """``{"fit": run(model), "bare": run(model)}``: one epoch over ``inputs`` each, seed ``SEED``."""
    def run_fit(model):
        return wsl.train.fit(model, inputs, targets, epochs=1, batch_size=setup.batch, lr=setup.lr,
                             weight_decay=setup.weight_decay, seed=SEED, loss_fn=setup.loss,
                             progress=False, device="cpu").loss

    def run_bare(model):
        return bare_fit(model, inputs, targets, epochs=1, batch_size=setup.batch, lr=setup.lr,
                        weight_decay=setup.weight_decay, loss_fn=setup.bare_loss,
                        generator=wsl.seeding.generator(SEED))      # the generator fit draws its order from

    return {"fit": run_fit, "bare": run_bare}


def largest_difference(a: torch.nn.Module, b: torch.nn.Module) -> float:
    """Largest ``|a - b|`` over every weight and buffer (batch-norm statistics included)."""
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    return max(float((sa[k].double() - sb[k].double()).abs().max()) if sa[k].numel() else 0.0 for k in sa)


class Result(NamedTuple):
    fit: float                  # median images per second
    bare: float
    ratio: float                # fit / bare
    difference: float           # largest weight difference after the check run (0.0: identical)
    losses_equal: bool          # the check run's epoch losses equal
    images: int                 # images per round


def measure(setup: Setup, *, steps: int, rounds: int, check_steps: int) -> Result:
    """Check that ``fit`` and the bare loop compute the same thing, then time them in alternating rounds."""
    g = torch.Generator().manual_seed(SEED)
    inputs, targets = setup.data(max(steps, check_steps) * setup.batch, g)
    torch.manual_seed(SEED)
    initial = setup.model()

    # same computation (and warm-up): a short run of each from the same weights and batch order
    k = check_steps * setup.batch
    check = runners(setup, inputs[:k], targets[:k])
    trained = {name: copy.deepcopy(initial) for name in check}
    losses = {name: run(trained[name]) for name, run in check.items()}
    difference = largest_difference(trained["fit"], trained["bare"])

    n = steps * setup.batch
    runs = runners(setup, inputs[:n], targets[:n])
    seconds = {name: [] for name in runs}
    for r in range(rounds):
        for name in (("fit", "bare") if r % 2 == 0 else ("bare", "fit")):
            model = copy.deepcopy(initial)
            start = time.perf_counter()
            runs[name](model)
            seconds[name].append(time.perf_counter() - start)
    speed = {name: n / statistics.median(s) for name, s in seconds.items()}
    return Result(speed["fit"], speed["bare"], speed["fit"] / speed["bare"], difference,
                  losses["fit"] == losses["bare"], n)


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = list(setups())
    parser.add_argument("--setups", nargs="+", choices=names, default=names, metavar="SETUP",
                        help=f"which set-ups (default: all of {', '.join(map(repr, names))})")
    parser.add_argument("--steps", type=int, default=20,
                        help="optimizer steps per round, one epoch of steps x batch images (default: 20)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the median is reported (default: 3)")
    parser.add_argument("--check-steps", type=int, default=3,
                        help="steps of the same-computation check, also the warm-up (default: 3)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for both loops (default: 1)")
    args = parser.parse_args(argv)
    if min(args.steps, args.rounds, args.check_steps, args.threads) < 1:
        parser.error("--steps, --rounds, --check-steps and --threads must be at least 1")
    threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        return _run(args)
    finally:
        torch.set_num_threads(threads)


def _run(args) -> list:
    """Check and time both loops for every set-up; print the table; return its rows."""
    print(f"Training throughput: wsl_lib's fit against a bare PyTorch loop, CPU ({os.cpu_count()} cores, "
          f"{args.threads} thread(s), load average {os.getloadavg()[0]:.1f}), {args.steps} steps a round, "
          f"median of {args.rounds} rounds\n")
    all_setups = setups()
    rows = []
    for name in args.setups:
        setup = all_setups[name]
        result = measure(setup, steps=args.steps, rounds=args.rounds, check_steps=args.check_steps)
        if result.difference != 0.0 or not result.losses_equal:
            raise SystemExit(f"{name}: fit and the bare loop differ after {args.check_steps} steps from the same "
                             f"weights (largest weight difference {result.difference:.2e}, losses equal: "
                             f"{result.losses_equal})")
        rows.append({"setup": name, "batch": setup.batch, **result._asdict()})

    print("| set-up | batch | images / round | fit (images / s) | bare loop (images / s) | fit / bare |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['setup']} | {row['batch']} | {row['images']:,} | {row['fit']:.0f} | {row['bare']:.0f} "
              f"| {row['ratio']:.2f} |")
    print(f"\nSame computation: after {args.check_steps} steps from the same weights and batch order, fit's weights, "
          "batch-norm statistics and losses equal the bare loop's bit for bit in every set-up. "
          "A ratio fit / bare of 0.90 or more is the target.")
    return rows


if __name__ == "__main__":
    main()
