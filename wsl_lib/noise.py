"""Learning from noisy labels (chapter 9): noise models, robust losses, and training recorded epoch by epoch.

Noise models. A *transition matrix* ``T`` ``(C, C)`` says how labels are corrupted:
``T[i, j] = P(noisy label j | true label i)``, each row a probability distribution.

* :func:`symmetric_transition`: a label is replaced, with probability ``rate``, by one of
  the *other* classes chosen uniformly (``T[i, i] = 1 - rate``, ``T[i, j] = rate / (C - 1)``).
* :func:`class_conditional_transition`: class ``i`` is confused with one specific class
  ``confused_with[i]`` with probability ``rate``.
* :func:`corrupt_labels` applies any ``T`` to a vector of labels, deterministically from a seed,
  with *exact* counts: of the ``n_i`` labels of class ``i``, ``n_i * T[i, j]`` (rounded) become ``j``.
* :func:`estimate_transition` estimates ``T`` from a small set with clean labels and the predictions
  of a model trained on the noisy ones.

Losses, each ``loss(logits (N, C), targets (N,)) -> scalar``, to pass to
:func:`wsl_lib.train.fit` as ``loss_fn``:

* :func:`gce_loss`: generalized cross-entropy ``(1 - p_y ** q) / q`` (Zhang and Sabuncu 2018):
  cross-entropy as ``q -> 0``, the mean absolute error ``1 - p_y`` at ``q = 1``.
* :func:`forward_corrected_loss`: cross-entropy of the *noisy* label under ``softmax(z) @ T``
  (forward correction, Patrini et al. 2017); with ``T`` the identity, plain cross-entropy.
* :func:`small_loss_cross_entropy` and :class:`SmallLossCrossEntropy`: cross-entropy over the
  fraction of each batch with the smallest losses (small-loss selection, as in co-teaching,
  Han et al. 2018, with one network), the fraction kept falling from 1 to ``1 - forget_rate``.

:func:`fit_recording` trains with :func:`wsl_lib.train.fit` and calls a function of yours after
every epoch (the memorization curves of a chapter, the epoch chosen by early stopping).
"""

from __future__ import annotations

import copy
from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_class_indices, check_number, describe, check_same_length, check_tensor
from .seeding import generator
from .train import fit

__all__ = [
    "check_transition", "class_conditional_transition", "corrupt_labels", "estimate_transition",
    "fit_recording", "forward_corrected_loss", "gce_loss", "Recording", "small_loss_cross_entropy",
    "SmallLossCrossEntropy", "symmetric_transition"
]

_ROW_SUM_TOLERANCE = 1e-6


# --------------------------------------------------------------------------- noise models

def symmetric_transition(num_classes: int, rate: float) -> torch.Tensor:
    """The transition matrix ``(C, C)`` of symmetric noise: keep the label with probability
    ``1 - rate``, else replace it by one of the ``C - 1`` other classes, uniformly.

    ``rate`` is in ``[0, 1)``; ``num_classes`` at least 2.

    Derived in chapter 9.
    """
    check_number("num_classes", num_classes, low=2, integer=True)
    check_number("rate", rate, low=0.0, high=1.0, high_open=True)
    off = rate / (num_classes - 1)
    transition = torch.full((num_classes, num_classes), off, dtype=torch.float64)
    transition.fill_diagonal_(1.0 - rate)
    return transition


def class_conditional_transition(confused_with, rate: float) -> torch.Tensor:
    """The transition matrix ``(C, C)`` of class-conditional noise: class ``i`` keeps its label
    with probability ``1 - rate`` and becomes ``confused_with[i]`` with probability ``rate``.

    ``confused_with`` is a sequence (or int tensor ``(C,)``) of ``C`` class indices, none equal to
    its own position; ``rate`` in ``[0, 1)``.

    Derived in chapter 9.
    """
    if isinstance(confused_with, torch.Tensor):
        check_tensor("confused_with", confused_with, ndim=1, kind="int")
        confused_with = confused_with.tolist()
    if not isinstance(confused_with, (list, tuple)) or len(confused_with) < 2 or \
            not all(isinstance(j, int) and not isinstance(j, bool) for j in confused_with):
        got = repr(confused_with) if isinstance(confused_with, (list, tuple)) else describe(confused_with)
        raise TypeError(f"confused_with: expected a sequence of at least two class indices (ints), got {got}")
    num_classes = len(confused_with)
    for i, j in enumerate(confused_with):
        if not 0 <= j < num_classes or j == i:
            raise ValueError(f"confused_with: expected for class {i} another class in [0, {num_classes}), got {j}")
    check_number("rate", rate, low=0.0, high=1.0, high_open=True)
    transition = torch.eye(num_classes, dtype=torch.float64) * (1.0 - rate)
    transition[torch.arange(num_classes), torch.tensor(confused_with)] += rate
    return transition


def check_transition(transition, num_classes: int | None = None) -> torch.Tensor:
    """Check that ``transition`` is a ``(C, C)`` float tensor of probabilities whose rows sum to 1.

    The argument check of :func:`corrupt_labels` and :func:`forward_corrected_loss` (chapter 9).
    """
    check_tensor("transition", transition, ndim=2, kind="float", finite=True)
    c = transition.shape[0]
    if transition.shape[1] != c or (num_classes is not None and c != num_classes):
        want = f"({num_classes}, {num_classes})" if num_classes is not None else "a square (C, C) matrix"
        raise ValueError(f"transition: expected shape {want}, got {describe(transition)}")
    if bool((transition < 0).any()):
        raise ValueError("transition: expected probabilities (no negative entry), got a negative entry")
    sums = transition.double().sum(1)
    if not bool(((sums - 1).abs() <= _ROW_SUM_TOLERANCE * c).all()):
        i = int(((sums - 1).abs()).argmax())
        raise ValueError(f"transition: expected every row to sum to 1, got row {i} summing to {sums[i].item():.6g}")
    return transition


def _check_labels(name: str, labels, num_classes: int) -> torch.Tensor:
    check_tensor(name, labels, ndim=1, kind="int")
    check_class_indices(name, labels, num_classes)
    return labels


def _rounded_counts(n: int, probabilities: torch.Tensor, keep: int) -> torch.Tensor:
    """Integer counts ``(C,)`` summing to ``n``, as close as possible to ``n * probabilities``
    (largest remainders; a tie goes to class ``keep``, the true class, then to the lower index)."""
    exact = n * probabilities.double()
    counts = exact.floor().long()
    missing = n - int(counts.sum())
    if missing > 0:
        candidates = torch.tensor([keep] + [j for j in range(len(counts)) if j != keep])
        remainders = (exact - counts)[candidates]
        counts[candidates[torch.argsort(-remainders, stable=True)[:missing]]] += 1
    return counts


def corrupt_labels(labels: torch.Tensor, transition: torch.Tensor, *, seed: int = 0) -> torch.Tensor:
    """Noisy labels ``(N,)`` from true ``labels`` ``(N,)`` int and a transition matrix ``(C, C)``.

    Of the ``n_i`` labels of class ``i``, exactly ``round(n_i * T[i, j])`` become ``j`` (rounded by
    largest remainders so that the counts add up to ``n_i``, a tie kept as the true class); which
    ones is drawn at random from ``seed`` (through :func:`wsl_lib.seeding.generator`, so
    ``WSL_SEED`` moves it). The rate of
    corruption is therefore exact, not only right on average: with 100 labels per class and
    symmetric noise at rate 0.4, exactly 40 labels of each class change. Returns a new tensor.

    Derived in chapter 9.
    """
    transition = check_transition(transition)
    num_classes = transition.shape[0]
    _check_labels("labels", labels, num_classes)
    check_number("seed", seed, low=0, integer=True)
    g = generator(seed)
    noisy = labels.clone()
    for i in range(num_classes):
        members = torch.nonzero(labels == i).flatten()
        members = members[torch.randperm(len(members), generator=g)]
        counts = _rounded_counts(len(members), transition[i], keep=i)
        noisy[members] = torch.repeat_interleave(torch.arange(num_classes, device=labels.device), counts)
    return noisy


def estimate_transition(probabilities: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Estimate the transition matrix ``(C, C)`` from a small set with clean labels.

    ``probabilities`` ``(N, C)``: a model trained on the *noisy* labels, applied to ``N`` images whose
    *true* ``labels`` ``(N,)`` are known (a clean validation split); each row estimates
    ``P(noisy label | image)``. Row ``i`` of the estimate is the mean of the rows of the images of
    true class ``i``, an estimate of ``P(noisy label | true class i)`` (the estimate of the gold loss
    correction, Hendrycks et al. 2018). Every class needs at least one image. With one-hot rows of
    observed noisy labels, it is the fraction of each true class carrying each noisy label.

    The reference of chapter 9's exercise "Estimate the noise"
    (:func:`wsl_lib.exercises.grade_transition_estimate`).
    """
    check_tensor("probabilities", probabilities, ndim=2, kind="float", finite=True)
    num_classes = probabilities.shape[1]
    _check_labels("labels", labels, num_classes)
    check_same_length(probabilities=probabilities, labels=labels)
    if bool((probabilities < 0).any()) or not bool(((probabilities.double().sum(1) - 1).abs() <= 1e-4).all()):
        raise ValueError("probabilities: expected rows of probabilities (non-negative, summing to 1), "
                         "got a row that is not (apply softmax to logits first)")
    counts = torch.bincount(labels, minlength=num_classes)
    if bool((counts == 0).any()):
        missing = torch.nonzero(counts == 0).flatten().tolist()
        raise ValueError(f"labels: expected at least one image of every class, got none of class(es) {missing}")
    sums = torch.zeros(num_classes, num_classes, dtype=torch.float64, device=probabilities.device)
    sums.index_add_(0, labels, probabilities.double())
    return sums / counts[:, None].to(sums)


# --------------------------------------------------------------------------- losses

def _check_logits_targets(logits, targets) -> None:
    check_tensor("logits", logits, ndim=2, kind="float")
    check_tensor("targets", targets, ndim=1, kind="int")
    check_same_length(logits=logits, targets=targets)
    _check_labels("targets", targets, logits.shape[1])


def gce_loss(logits: torch.Tensor, targets: torch.Tensor, q: float = 0.7) -> torch.Tensor:
    """Generalized cross-entropy, the batch mean of ``(1 - p_y ** q) / q`` (Zhang and Sabuncu 2018).

    ``logits`` ``(N, C)``, ``targets`` ``(N,)`` int, ``q`` in ``(0, 1]``: cross-entropy
    ``-log p_y`` in the limit ``q -> 0``, the mean absolute error ``1 - p_y`` at ``q = 1``; the
    paper uses ``q = 0.7``. A wrong label whose probability is small contributes a small gradient,
    unlike cross-entropy, whose gradient grows as ``p_y`` falls.

    Derived in chapter 9.
    """
    _check_logits_targets(logits, targets)
    check_number("q", q, low=0.0, high=1.0, low_open=True)
    log_p = F.log_softmax(logits, dim=1).gather(1, targets[:, None]).squeeze(1)     # (N,) log p_y
    # 1 - p^q = -expm1(q log p): accurate for small q, where 1 - p^q would lose every digit
    return (-torch.expm1(q * log_p) / q).mean()


def forward_corrected_loss(logits: torch.Tensor, targets: torch.Tensor, transition: torch.Tensor) -> torch.Tensor:
    """Forward-corrected cross-entropy (Patrini et al. 2017): ``-log (softmax(z) @ T)[noisy y]``, batch mean.

    ``logits`` ``(N, C)`` are the network's scores for the *true* classes; multiplying their
    probabilities by ``transition`` ``(C, C)`` (``T[i, j] = P(noisy j | true i)``) gives the
    probabilities of the *noisy* labels ``targets`` ``(N,)``, which the loss fits. With ``T`` the
    identity this is plain cross-entropy.

    Derived in chapter 9.
    """
    _check_logits_targets(logits, targets)
    transition = check_transition(transition, logits.shape[1]).to(logits)
    noisy_probabilities = F.softmax(logits, dim=1) @ transition                      # (N, C)
    picked = noisy_probabilities.gather(1, targets[:, None]).squeeze(1)
    return -torch.log(picked.clamp_min(1e-12)).mean()


def small_loss_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, keep: float) -> torch.Tensor:
    """Cross-entropy averaged over the ``ceil(keep * N)`` examples of the batch with the smallest loss.

    ``logits`` ``(N, C)``, ``targets`` ``(N,)`` int, ``keep`` in ``(0, 1]``. Early in training a
    network fits the labels that agree with the pattern of the data first, so a wrong label tends
    to have a large loss; leaving out the largest losses leaves out mostly wrong labels.

    The loss of :class:`SmallLossCrossEntropy`, derived in chapter 9.
    """
    _check_logits_targets(logits, targets)
    check_number("keep", keep, low=0.0, high=1.0, low_open=True)
    losses = F.cross_entropy(logits, targets, reduction="none")                       # (N,)
    k = max(1, int(torch.ceil(torch.tensor(keep * len(losses)))))
    return torch.topk(losses, k, largest=False, sorted=False).values.mean()


class SmallLossCrossEntropy:
    """Small-loss selection with the schedule of co-teaching (Han et al. 2018), for one network.

    Called as ``loss(logits (N, C), targets (N,))``, like any ``loss_fn`` of
    :func:`wsl_lib.train.fit`; it counts its calls (one per training step). The fraction of each batch
    kept falls linearly from 1 at the first step to ``1 - forget_rate`` at step ``ramp_steps``,
    then stays there (co-teaching sets ``forget_rate`` to the noise rate, known or estimated).
    Use a new instance for each training run.

    Derived in chapter 9.
    """

    def __init__(self, forget_rate: float, ramp_steps: int):
        check_number("forget_rate", forget_rate, low=0.0, high=1.0, high_open=True)
        check_number("ramp_steps", ramp_steps, low=1, integer=True)
        self.forget_rate = float(forget_rate)
        self.ramp_steps = int(ramp_steps)
        self.step = 0

    def keep(self) -> float:
        """The fraction of the batch kept at the current step."""
        return 1.0 - self.forget_rate * min(self.step / self.ramp_steps, 1.0)

    def __call__(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        loss = small_loss_cross_entropy(logits, targets, self.keep())
        self.step += 1
        return loss


# --------------------------------------------------------------------------- training with a record of every epoch

class Recording(NamedTuple):
    """What :func:`fit_recording` returns (chapter 9)."""

    history: dict
    """Each recorded name -> its ``epochs`` values, epoch 1 first."""
    best: nn.Module | None
    """With ``select``: a copy of the model at the epoch where that number was largest (the first
    such epoch), in eval mode; None without ``select``."""
    best_epoch: int | None
    """That epoch, counted from 1; None without ``select``."""


def fit_recording(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, record: Callable[[nn.Module], dict],
                  *, select: str | None = None, epochs: int = 2, batch_size: int = 64, **fit_kwargs) -> Recording:
    """Train ``model`` with :func:`wsl_lib.train.fit` and call ``record(model)`` after every epoch.

    ``model``, ``inputs`` ``(N, ...)``, ``targets`` ``(N,)``, ``epochs`` and ``batch_size`` are as
    for :func:`wsl_lib.train.fit`; ``fit_kwargs`` (``lr``, ``seed``, ``loss_fn``, ``device``,
    ``progress``, ``augment``...) are passed on.

    Used in chapter 9, for the memorization curves and early stopping.

    Args:
        record: ``record(model) -> {name: number}``, called with the model in eval mode and
            gradients off after each epoch (for example accuracies on a clean split), through
            ``fit``'s ``on_epoch``. Training is exactly that of ``fit`` alone: recording draws no
            random numbers and changes no weight or statistic.
        select: the name of a recorded number to maximize (early stopping), or None.

    Returns:
        A :class:`Recording` ``(history, best, best_epoch)``.
    """
    if not callable(record):
        raise TypeError(f"record: expected a function record(model) -> dict, got {describe(record)}")
    if "on_epoch" in fit_kwargs:
        raise TypeError(f"on_epoch: expected none (fit_recording records through fit's on_epoch), "
                        f"got {describe(fit_kwargs['on_epoch'])}")
    if select is not None and not isinstance(select, str):
        raise TypeError(f"select: expected None or the name of a recorded number, got {describe(select)}")
    history: dict = {}
    best = {"value": None, "state": None, "epoch": None}

    def take(epoch: int, trained: nn.Module) -> None:
        was_training = trained.training
        trained.eval()
        with torch.no_grad():
            values = record(trained)
        trained.train(was_training)
        if not isinstance(values, dict):
            raise TypeError(f"record: expected it to return a dict of numbers, got {describe(values)}")
        for name, value in values.items():
            history.setdefault(name, []).append(float(value))
        if select is not None:
            if select not in values:
                raise ValueError(f"select: expected one of the recorded names {sorted(values)}, got {select!r}")
            if best["value"] is None or float(values[select]) > best["value"]:
                best.update(value=float(values[select]), epoch=epoch,
                            state={k: v.detach().clone() for k, v in trained.state_dict().items()})

    fit(model, inputs, targets, epochs=epochs, batch_size=batch_size, on_epoch=take, **fit_kwargs)
    if select is None:
        return Recording(history, None, None)
    chosen = copy.deepcopy(model)
    chosen.load_state_dict(best["state"])
    return Recording(history, chosen.eval(), best["epoch"])
