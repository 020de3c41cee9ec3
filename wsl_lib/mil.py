"""Multiple-instance learning (MIL): pooling layers, a MIL model, its training and its scores (chapter 8).

A MIL model reads a *bag* of instances (:mod:`wsl_lib.bags`: sets of 8x8 digits, padded to
one tensor ``(B, L, 1, 8, 8)``, padding found by ``wsl.bags.bag_mask``) and is trained with one
label per bag. Pooling is what turns instance scores or embeddings into one bag score; every
pooling here is permutation invariant (the order of the instances does not matter) and ignores
padding:

* :class:`MeanPooling`, :class:`MaxPooling`, :class:`LSEPooling` (log-sum-exp with a
  temperature ``r``, between the mean and the max; Pinheiro and Collobert, 2015) on scores
  ``(B, L)`` or embeddings ``(B, L, D)``;
* :class:`AttentionPooling` (Ilse, Tomczak and Welling, 2018), plain or gated, on embeddings:
  a weighted mean whose weights a small network computes from each instance.

Data flow: ``wsl.bags.make_bags -> MILModel (trained by wsl.train.fit, see train_mil) -> score_bags
-> bag_auc / instance_auc / top_instance_accuracy`` (all three at once: :func:`evaluate`).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from sklearn.metrics import roc_auc_score
from torch import nn

from ._checks import check_bag_mask, check_binary_labels, check_choice, check_number, check_same_length, check_tensor, describe
from .bags import Bags, bag_mask
from .seeding import seed_everything
from .train import fit

__all__ = ["ATTENTION_POOLINGS", "POOLINGS", "AttentionPooling", "BagScores", "LSEPooling", "MILEvaluation",
           "MILModel", "MaxPooling", "MeanPooling", "bag_auc", "evaluate", "instance_auc", "score_bags",
           "top_instance_accuracy", "train_mil"]

#: The poolings of :class:`MILModel`, by name.
POOLINGS = ("mean", "max", "lse", "attention", "gated_attention")
#: The poolings of :data:`POOLINGS` that pool instance embeddings with learned weights.
ATTENTION_POOLINGS = POOLINGS[3:]


# --------------------------------------------------------------------------- pooling

def _check_pool_input(x: torch.Tensor, mask) -> torch.Tensor:
    """Check scores ``(B, L)`` or embeddings ``(B, L, D)`` and a mask ``(B, L)``; the mask (all True if None)."""
    check_tensor("x", x, ndim=(2, 3), kind="float")
    if mask is None:
        return torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)
    check_bag_mask(mask)
    if mask.shape != x.shape[:2]:
        raise ValueError(f"mask: expected shape {tuple(x.shape[:2])} (bags, instances) to match x, "
                         f"got {describe(mask)}")
    return mask.to(x.device)


def _spread(mask: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The mask ``(B, L)`` shaped to broadcast against ``x`` ``(B, L)`` or ``(B, L, D)``."""
    return mask if x.ndim == 2 else mask[:, :, None]


class MeanPooling(nn.Module):
    """The mean over each bag's real instances: ``x`` ``(B, L)`` -> ``(B,)`` or ``(B, L, D)`` -> ``(B, D)``.

    Over the positions of a feature map, this is global average pooling (GAP).

    Derived in chapter 8.
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        m = _spread(_check_pool_input(x, mask), x)
        return (x * m).sum(1) / m.sum(1)


class MaxPooling(nn.Module):
    """The maximum over each bag's real instances: ``(B, L)`` -> ``(B,)`` or ``(B, L, D)`` -> ``(B, D)``.

    Over the positions of a feature map, this is global max pooling (GMP). Only the largest
    instance receives a gradient.

    Derived in chapter 8.

    Examples:
        >>> scores = torch.tensor([[-2.0, 4.0, -1.0], [-2.0, -1.0, 9.0]])
        >>> mask = torch.tensor([[True, True, True], [True, True, False]])     # the 9.0 is padding
        >>> wsl.mil.MaxPooling()(scores, mask)
        tensor([ 4., -1.])
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        m = _spread(_check_pool_input(x, mask), x)
        return x.masked_fill(~m, float("-inf")).amax(1)


class LSEPooling(nn.Module):
    """Log-sum-exp pooling with temperature ``r > 0`` (Pinheiro and Collobert, 2015):

        ``(1 / r) * log((1 / n) * sum_k exp(r * x_k))`` over the ``n`` real instances of a bag,

    ``(B, L)`` -> ``(B,)`` or ``(B, L, D)`` -> ``(B, D)``. It lies between the mean (the limit
    ``r -> 0``) and the maximum (``r -> infinity``), and is never below the mean nor above the max.

    Derived in chapter 8.
    """

    def __init__(self, r: float = 1.0):
        super().__init__()
        check_number("r", r, low=0.0, low_open=True)
        self.r = float(r)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        m = _spread(_check_pool_input(x, mask), x)
        total = torch.logsumexp((self.r * x).masked_fill(~m, float("-inf")), dim=1)
        return (total - m.sum(1).to(x.dtype).log()) / self.r

    def extra_repr(self) -> str:
        return f"r={self.r:g}"


class AttentionPooling(nn.Module):
    """Attention pooling (Ilse, Tomczak and Welling, 2018): a weighted mean of instance embeddings.

    For embeddings ``h_k`` ``(D,)`` of a bag, the weights are

        ``a_k = softmax_k(w^T tanh(V h_k))``                       (``gated=False``)
        ``a_k = softmax_k(w^T (tanh(V h_k) * sigmoid(U h_k)))``    (``gated=True``)

    over the bag's real instances (padding gets weight 0), and the bag embedding is
    ``z = sum_k a_k h_k``. ``V`` and ``U`` are ``(hidden, D)``, ``w`` is ``(hidden,)``.

    ``forward(h (B, L, D), mask (B, L) or None)`` returns ``(z (B, D), a (B, L))``.

    Derived in chapter 8, as the pooling of :class:`MILModel`'s attention models.
    """

    def __init__(self, dim: int, hidden: int = 16, gated: bool = False):
        super().__init__()
        check_number("dim", dim, low=1, integer=True)
        check_number("hidden", hidden, low=1, integer=True)
        if not isinstance(gated, bool):
            raise TypeError(f"gated: expected a bool, got {describe(gated)}")
        self.V = nn.Linear(dim, hidden)
        self.U = nn.Linear(dim, hidden) if gated else None
        self.w = nn.Linear(hidden, 1)

    def weights(self, h: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Attention weights ``(B, L)``: non-negative, summing to 1 over each bag's real instances."""
        check_tensor("h", h, ndim=3, kind="float")
        mask = _check_pool_input(h, mask)
        if h.shape[-1] != self.V.in_features:
            raise ValueError(f"h: expected embeddings of size {self.V.in_features}, got {describe(h)}")
        hidden = torch.tanh(self.V(h))
        if self.U is not None:
            hidden = hidden * torch.sigmoid(self.U(h))
        logits = self.w(hidden).squeeze(-1).masked_fill(~mask, float("-inf"))     # (B, L)
        return torch.softmax(logits, dim=1)

    def forward(self, h: torch.Tensor, mask: torch.Tensor | None = None):
        a = self.weights(h, mask)
        return (a[:, :, None] * h).sum(1), a


# --------------------------------------------------------------------------- the model

class MILModel(nn.Module):
    """A MIL classifier: an instance encoder, a pooling, and one linear score.

    * encoder: each 8x8 instance ``(1, 8, 8)`` -> embedding ``h_k`` ``(embedding,)``, a small
      MLP (64 -> ``hidden`` -> ``embedding``, ReLU after each layer);
    * score: one linear layer ``s(h) = v^T h + c``, the instance score ``s_k = s(h_k)``;
    * pooling: ``"mean"``, ``"max"`` or ``"lse"`` pool the instance scores ``s_k`` into the bag
      score (*instance-level* pooling); ``"attention"`` and ``"gated_attention"`` pool the
      embeddings, ``z = sum_k a_k h_k``, and score the bag embedding, ``s(z)`` (*embedding-level*).
      Because ``s`` is affine and the weights sum to 1, ``s(z) = sum_k a_k s_k``: the bag score of
      an attention model is the attention-weighted mean of its instance scores.

    ``model(instances (B, L, 1, 8, 8))`` -> bag logits ``(B,)`` (padding found by :func:`wsl_lib.bags.bag_mask`).

    Derived in chapter 8.

    Args:
        pooling: one of :data:`POOLINGS`.
        hidden, embedding: widths of the encoder.
        r: temperature of the ``"lse"`` pooling.
        attention_hidden: width of the attention network.
    """

    def __init__(self, pooling: str = "attention", *, hidden: int = 64, embedding: int = 32, r: float = 1.0,
                 attention_hidden: int = 16):
        super().__init__()
        check_choice("pooling", pooling, POOLINGS)
        check_number("hidden", hidden, low=1, integer=True)
        check_number("embedding", embedding, low=1, integer=True)
        self.pooling = pooling
        self.encoder = nn.Sequential(nn.Flatten(-3), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, embedding),
                                     nn.ReLU())
        self.score = nn.Linear(embedding, 1)
        self.pool = {"mean": lambda: MeanPooling(), "max": lambda: MaxPooling(), "lse": lambda: LSEPooling(r),
                     "attention": lambda: AttentionPooling(embedding, attention_hidden),
                     "gated_attention": lambda: AttentionPooling(embedding, attention_hidden, gated=True)}[pooling]()

    def embed(self, instances: torch.Tensor):
        """Bags ``(B, L, 1, 8, 8)`` -> ``(embeddings (B, L, D), mask (B, L))``."""
        check_tensor("instances", instances, ndim=5, kind="float")
        if tuple(instances.shape[2:]) != (1, 8, 8):
            raise ValueError(f"instances: expected bags of 8x8 images (B, L, 1, 8, 8), got {describe(instances)}")
        return self.encoder(instances), bag_mask(instances)

    def instance_scores(self, instances: torch.Tensor) -> torch.Tensor:
        """The score ``s_k`` of every instance, ``(B, L)``; 0 at padding."""
        h, mask = self.embed(instances)
        return self.score(h).squeeze(-1).masked_fill(~mask, 0.0)

    def attention_weights(self, instances: torch.Tensor) -> torch.Tensor:
        """The attention weights ``a_k`` ``(B, L)`` of an attention model (0 at padding)."""
        if self.pooling not in ATTENTION_POOLINGS:
            raise ValueError(f"pooling: expected a model with {' or '.join(map(repr, ATTENTION_POOLINGS))} pooling "
                             f"for attention weights, got a model with {self.pooling!r} pooling")
        h, mask = self.embed(instances)
        return self.pool.weights(h, mask)

    def forward(self, instances: torch.Tensor) -> torch.Tensor:
        h, mask = self.embed(instances)
        if self.pooling in ATTENTION_POOLINGS:
            z, _ = self.pool(h, mask)
            return self.score(z).squeeze(-1)
        return self.pool(self.score(h).squeeze(-1), mask)


def train_mil(bags: Bags, pooling: str, *, epochs: int = 20, batch_size: int = 16, lr: float = 3e-3, seed: int = 0,
              device=None, progress: bool = False, **model_args) -> MILModel:
    """A :class:`MILModel` with ``pooling``, trained on ``bags`` with the bag labels only.

    Initial weights from ``seed`` (via ``wsl.seeding.seed_everything``), then ``wsl.train.fit``
    with binary cross-entropy on the bag logits (the instance labels are never used), on one CPU
    thread (the number of threads is restored afterwards). ``model_args`` go to :class:`MILModel`.
    Returns the model in eval mode, on ``device``.

    Used in chapter 8.
    """
    if not isinstance(bags, Bags):
        raise TypeError(f"bags: expected a wsl_lib.bags.Bags (from make_bags), got {describe(bags)}")
    check_choice("pooling", pooling, POOLINGS)
    seed_everything(seed)
    model = MILModel(pooling, **model_args)
    threads = torch.get_num_threads()
    # a model this small trains several times faster on one CPU thread (no waiting between threads),
    # and one thread sums floats in the same order on every machine
    torch.set_num_threads(1)
    try:
        fit(model, bags.instances, bags.labels.float(), epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
            device=device, progress=progress)
    finally:
        torch.set_num_threads(threads)
    return model


# --------------------------------------------------------------------------- scores

class BagScores(NamedTuple):
    """Result of :func:`score_bags`: every reading of a trained model on ``B`` bags (padding positions hold 0).

    Used in chapter 8.
    """
    bag: torch.Tensor                   # (B,) bag logits
    instance: torch.Tensor              # (B, L) instance scores s_k
    attention: torch.Tensor | None      # (B, L) attention weights a_k; None for a model without attention


@torch.no_grad()
def score_bags(model: MILModel, bags: Bags, *, batch_size: int = 500) -> BagScores:
    """Every reading of a trained model on ``bags``, on the CPU: :class:`BagScores`, the bag logits
    ``bag`` ``(B,)``, the instance scores ``instance`` ``(B, L)`` and the attention weights
    ``attention`` ``(B, L)`` (None for a model without attention). Padding positions hold 0.

    Used in chapter 8.
    """
    if not isinstance(model, MILModel):
        raise TypeError(f"model: expected a wsl_lib.mil.MILModel, got {describe(model)}")
    if not isinstance(bags, Bags):
        raise TypeError(f"bags: expected a wsl_lib.bags.Bags (from make_bags), got {describe(bags)}")
    check_number("batch_size", batch_size, low=1, integer=True)
    model.eval()
    device = next(model.parameters()).device
    out = {"bag": [], "instance": [], "attention": []}
    for i in range(0, len(bags), batch_size):
        x = bags.instances[i:i + batch_size].to(device)
        out["bag"].append(model(x).cpu())
        out["instance"].append(model.instance_scores(x).cpu())
        if model.pooling in ATTENTION_POOLINGS:
            out["attention"].append(model.attention_weights(x).cpu())
    return BagScores(**{k: torch.cat(v) if v else None for k, v in out.items()})


def bag_auc(scores: torch.Tensor, labels: torch.Tensor) -> float:
    """Area under the ROC curve of bag ``scores`` ``(B,)`` for bag ``labels`` ``(B,)`` (0 or 1, both present).

    Defined in chapter 8, which reads it through :func:`evaluate`.
    """
    check_tensor("scores", scores, ndim=1, kind="float", finite=True)
    check_binary_labels("labels", check_tensor("labels", labels, ndim=1, kind="int"))
    check_same_length(scores=scores, labels=labels)
    if labels.min() == labels.max():
        raise ValueError("labels: expected both negative (0) and positive (1) bags, got only one kind")
    return float(roc_auc_score(labels.cpu().numpy(), scores.detach().cpu().double().numpy()))


def _real_instances(scores, instance_labels, mask):
    check_tensor("scores", scores, ndim=2, kind="float", finite=True)
    check_binary_labels("instance_labels", check_tensor("instance_labels", instance_labels, ndim=2, kind="int"))
    check_bag_mask(mask)
    if not (scores.shape == instance_labels.shape == mask.shape):
        raise ValueError(f"scores: expected the shape of instance_labels and mask {tuple(mask.shape)}, "
                         f"got {tuple(scores.shape)}, {tuple(instance_labels.shape)} and {tuple(mask.shape)}")
    return scores.detach().cpu(), instance_labels.cpu(), mask.cpu()


def instance_auc(scores: torch.Tensor, instance_labels: torch.Tensor, mask: torch.Tensor) -> float:
    """Area under the ROC curve of instance ``scores`` ``(B, L)`` for ``instance_labels`` ``(B, L)``,
    over the real instances (``mask`` ``(B, L)`` True) of all ``B`` bags taken together.

    Pass the positive bags only to ask "which instances made these bags positive?".
    Both kinds of instance must be present.

    Defined in chapter 8, which reads it through :func:`evaluate`.
    """
    scores, labels, mask = _real_instances(scores, instance_labels, mask)
    y = labels[mask]
    if y.min() == y.max():
        raise ValueError("instance_labels: expected both negative (0) and positive (1) real instances, "
                         "got only one kind")
    return float(roc_auc_score(y.numpy(), scores[mask].double().numpy()))


def top_instance_accuracy(scores: torch.Tensor, instance_labels: torch.Tensor, mask: torch.Tensor) -> float:
    """The fraction of bags whose highest-scoring real instance is positive.

    ``scores``, ``instance_labels``, ``mask``: ``(B, L)``. A per-bag reading, fair to scores that
    are only comparable within one bag, such as attention weights. Pass positive bags.

    Defined in chapter 8, which reads it through :func:`evaluate`.
    """
    scores, labels, mask = _real_instances(scores, instance_labels, mask)
    top = scores.masked_fill(~mask, float("-inf")).argmax(1)                     # (B,)
    return float(labels.gather(1, top[:, None]).float().mean())


class MILEvaluation(NamedTuple):
    """Result of :func:`evaluate`: bag and instance scores of a trained model.

    Used in chapter 8.
    """
    bag_auc: float                  # bag AUC of the bag logits, over all bags
    instance_auc: float             # instance AUC of the instance scores, over the positive bags
    top_instance: float             # top-instance accuracy of the instance scores, over the positive bags
    attention_auc: float | None     # instance AUC of the attention weights (None without attention)
    attention_top: float | None     # top-instance accuracy of the attention weights (None without attention)


def evaluate(model: MILModel, bags: Bags) -> MILEvaluation:
    """Bag and instance scores of a trained ``model`` on ``bags`` (positive and negative bags both present).

    Returns :class:`MILEvaluation` ``(bag_auc, instance_auc, top_instance, attention_auc, attention_top)``:
    the bag AUC of the bag logits over all bags; the instance AUC (:func:`instance_auc`) and the
    top-instance accuracy (:func:`top_instance_accuracy`) of the instance scores over the
    *positive* bags ("which digit made this bag positive?"); and the same two for the attention
    weights (None for a model without attention).

    Used in chapter 8.
    """
    scores = score_bags(model, bags)
    pos = bags.labels == 1
    if not bool(pos.any()):
        raise ValueError("bags: expected some positive bags to find their witnesses, got none")
    labels, mask = bags.instance_labels[pos], bags.mask[pos]
    attention_auc = attention_top = None
    if scores.attention is not None:
        attention_auc = instance_auc(scores.attention[pos], labels, mask)
        attention_top = top_instance_accuracy(scores.attention[pos], labels, mask)
    return MILEvaluation(bag_auc=bag_auc(scores.bag, bags.labels),
                         instance_auc=instance_auc(scores.instance[pos], labels, mask),
                         top_instance=top_instance_accuracy(scores.instance[pos], labels, mask),
                         attention_auc=attention_auc, attention_top=attention_top)
