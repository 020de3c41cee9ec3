"""Multiple-instance learning (wsl_lib.mil): poolings, the model and scores, against hand-worked examples (the bags: test_bags.py)."""

import math

import pytest
import torch

from wsl_lib import mil
from wsl_lib.bags import PAD, make_bags

NEG_INF = float("-inf")


def rand(*shape, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def score_poolings():
    return [mil.MeanPooling(), mil.MaxPooling(), mil.LSEPooling(0.5), mil.LSEPooling(4.0)]


# --------------------------------------------------------------------------- poolings

def test_max_pooling_of_a_bag_with_one_positive_instance():
    scores = torch.tensor([[-2.0, -3.0, 4.0, -1.0], [-2.0, -3.0, -1.0, 9.0]])
    mask = torch.tensor([[True, True, True, True], [True, True, True, False]])   # the 9.0 is padding
    assert mil.MaxPooling()(scores, mask).tolist() == [4.0, -1.0]


def test_mean_pooling_ignores_padding():
    scores = torch.tensor([[1.0, 2.0, 3.0, 100.0]])
    assert mil.MeanPooling()(scores, torch.tensor([[True, True, True, False]])).tolist() == [2.0]
    embeddings = torch.tensor([[[1.0, 0.0], [3.0, 2.0], [50.0, 50.0]]])
    assert mil.MeanPooling()(embeddings, torch.tensor([[True, True, False]])).tolist() == [[2.0, 1.0]]


def test_lse_pooling_by_hand_and_its_limits():
    x = torch.tensor([[0.0, math.log(3.0)]])
    assert mil.LSEPooling(1.0)(x).item() == pytest.approx(math.log(2.0))     # log((1 + 3) / 2)
    scores = (rand(5, 7) * 4 - 2).double()              # double precision for the limits
    mean, top = scores.mean(1), scores.amax(1)
    assert torch.allclose(mil.LSEPooling(1e-5)(scores), mean, atol=1e-4)     # r -> 0: the mean
    assert torch.allclose(mil.LSEPooling(1e4)(scores), top, atol=1e-3)      # r -> infinity: the max
    for r in (0.3, 1.0, 5.0):
        lse = mil.LSEPooling(r)(scores)
        assert bool((lse >= mean - 1e-6).all() and (lse <= top + 1e-6).all())
    padded = torch.cat([scores, torch.full((5, 2), 50.0)], 1)
    mask = torch.arange(9)[None].repeat(5, 1) < 7
    assert torch.allclose(mil.LSEPooling(2.0)(padded, mask), mil.LSEPooling(2.0)(scores), atol=1e-6)


def test_attention_with_constant_logits_is_the_mean():
    pool = mil.AttentionPooling(3, hidden=4)
    with torch.no_grad():
        pool.V.weight.zero_()
        pool.V.bias.zero_()
    h = rand(2, 5, 3)
    mask = torch.tensor([[True] * 5, [True, True, False, False, False]])
    z, a = pool(h, mask)
    assert torch.allclose(a, torch.tensor([[0.2] * 5, [0.5, 0.5, 0.0, 0.0, 0.0]]))
    assert torch.allclose(z, mil.MeanPooling()(h, mask))


@pytest.mark.parametrize("gated", [False, True])
def test_attention_weights_sum_to_one_and_follow_the_instances(gated):
    torch.manual_seed(0)
    pool = mil.AttentionPooling(6, hidden=5, gated=gated)
    h = rand(4, 9, 6) * 3 - 1
    mask = torch.arange(9)[None] < torch.tensor([9, 5, 1, 7])[:, None]
    z, a = pool(h, mask)
    assert torch.allclose(a.sum(1), torch.ones(4))
    assert bool((a[~mask] == 0).all()) and bool((a >= 0).all())
    assert a[2, 0].item() == pytest.approx(1.0)                             # a bag of one instance
    order = torch.randperm(9, generator=torch.Generator().manual_seed(1))
    z2, a2 = pool(h[:, order], mask[:, order])
    assert torch.allclose(a2, a[:, order], atol=1e-6)                      # each instance keeps its weight
    assert torch.allclose(z2, z, atol=1e-6)


def test_every_pooling_is_permutation_invariant():
    torch.manual_seed(0)
    scores, h = rand(3, 8) * 4 - 2, rand(3, 8, 5)
    mask = torch.arange(8)[None] < torch.tensor([8, 3, 6])[:, None]
    order = torch.randperm(8, generator=torch.Generator().manual_seed(2))
    for pool in score_poolings():
        for x in (scores, h):
            assert torch.allclose(pool(x[:, order], mask[:, order]), pool(x, mask), atol=1e-6), pool
    for gated in (False, True):
        pool = mil.AttentionPooling(5, gated=gated)
        assert torch.allclose(pool(h[:, order], mask[:, order])[0], pool(h, mask)[0], atol=1e-6)


def test_poolings_reject_an_empty_bag():
    mask = torch.tensor([[True, False], [False, False]])
    for pool in score_poolings():
        with pytest.raises(ValueError, match="empty bag at index 1"):
            pool(rand(2, 2), mask)
    with pytest.raises(ValueError, match="empty bag"):
        mil.AttentionPooling(3)(rand(2, 2, 3), mask)


# --------------------------------------------------------------------------- the model

@pytest.mark.parametrize("pooling", mil.POOLINGS)
def test_model_is_permutation_invariant_and_ignores_padding(pooling):
    torch.manual_seed(0)
    model = mil.MILModel(pooling).eval()
    bags = make_bags(6, seed=1, bag_size=6, spread=2)
    with torch.no_grad():
        logits = model(bags.instances)
        order = torch.randperm(bags.instances.shape[1], generator=torch.Generator().manual_seed(3))
        assert torch.allclose(model(bags.instances[:, order]), logits, atol=1e-5)
        more = torch.cat([bags.instances, torch.full((6, 3, 1, 8, 8), PAD)], 1)   # three more padding slots
        assert torch.allclose(model(more), logits, atol=1e-5)
    assert logits.shape == (6,)


@pytest.mark.parametrize("pooling", mil.POOLINGS)
def test_bag_score_is_the_pooling_of_the_instance_scores(pooling):
    torch.manual_seed(0)
    model = mil.MILModel(pooling, r=2.0).eval()
    bags = make_bags(5, seed=2, bag_size=7, spread=3)
    with torch.no_grad():
        logits, s, mask = model(bags.instances), model.instance_scores(bags.instances), bags.mask
        if pooling in mil.ATTENTION_POOLINGS:
            a = model.attention_weights(bags.instances)
            expected = (a * s).sum(1)                    # the attention-weighted mean of the instance scores
        else:
            pools = {"mean": mil.MeanPooling(), "max": mil.MaxPooling(), "lse": mil.LSEPooling(2.0)}
            expected = pools[pooling](s, mask)
    assert torch.allclose(logits, expected, atol=1e-5)
    assert bool((s[~mask] == 0).all())


def test_attention_weights_need_an_attention_model():
    with pytest.raises(ValueError, match="pooling: expected a model with .attention. or .gated_attention. pooling"):
        mil.MILModel("max").attention_weights(make_bags(2).instances)


def test_train_and_score_a_small_model():
    train = make_bags(120, split="train", seed=0, bag_size=5, witness_rate=0.2)
    test = make_bags(100, split="test", seed=0, bag_size=5, witness_rate=0.2)
    model = mil.train_mil(train, "max", epochs=8, device="cpu")
    scores = mil.score_bags(model, test)
    assert scores.bag.shape == (100,) and scores.instance.shape == (100, 5) and scores.attention is None
    assert mil.bag_auc(scores.bag, test.labels) > 0.75
    result = mil.evaluate(model, test)
    assert result.bag_auc == mil.bag_auc(scores.bag, test.labels)
    pos = test.labels == 1
    labels, mask = test.instance_labels[pos], test.mask[pos]
    assert result.instance_auc == mil.instance_auc(scores.instance[pos], labels, mask)
    assert result.attention_auc is None and 0 <= result.top_instance <= 1
    assert result._fields == ("bag_auc", "instance_auc", "top_instance", "attention_auc", "attention_top")
    assert isinstance(scores, mil.BagScores) and scores._fields == ("bag", "instance", "attention")
    attention = mil.score_bags(mil.MILModel("gated_attention"), test).attention
    assert torch.allclose(attention.sum(1), torch.ones(100))


# --------------------------------------------------------------------------- scores

def test_auc_and_top_instance_by_hand():
    scores = torch.tensor([[0.9, 0.1, 0.5, 0.0], [0.2, 0.8, 0.3, 7.0]])
    labels = torch.tensor([[1, 0, 0, 0], [0, 0, 1, 0]])
    mask = torch.tensor([[True, True, True, True], [True, True, True, False]])   # the 7.0 is padding
    # positives 0.9 and 0.3 against negatives 0.1, 0.5, 0.0, 0.2, 0.8: 5 + 3 pairs of 10 ranked right
    assert mil.instance_auc(scores, labels, mask) == pytest.approx(8 / 10)
    assert mil.top_instance_accuracy(scores, labels, mask) == 0.5
    assert mil.bag_auc(torch.tensor([0.1, 0.7, 0.4]), torch.tensor([0, 1, 0])) == 1.0
    with pytest.raises(ValueError, match="labels: expected labels 0"):
        mil.bag_auc(torch.tensor([0.1, 0.7]), torch.tensor([0, 2]))
