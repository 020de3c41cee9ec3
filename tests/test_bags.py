"""wsl_lib.bags: the bags of digits of chapter 8 (sizes, witness rate, seeds, splits), against hand-worked examples."""

import pytest
import torch

from wsl_lib.bags import PAD, Bags, make_bags, witness_count
from wsl_lib.data import digit_pool


def test_witness_count_by_hand():
    assert witness_count(10, 0.1) == 1
    assert witness_count(10, 0.25) == 3          # 2.5 rounds half up
    assert witness_count(4, 0.01) == 1           # at least one witness
    assert witness_count(3, 1.0) == 3            # every instance
    assert witness_count(20, 0.5) == 10


@pytest.mark.parametrize("bag_size, spread, witness_rate", [(10, 4, 0.1), (5, 0, 0.5), (20, 3, 0.25), (1, 0, 1.0)])
def test_bag_sizes_and_witness_rate_exact(bag_size, spread, witness_rate):
    bags = make_bags(300, split="train", seed=0, bag_size=bag_size, spread=spread, witness_rate=witness_rate)
    sizes = bags.sizes
    assert bags.instances.shape == (300, bag_size + spread, 1, 8, 8)
    assert int(sizes.min()) >= bag_size - spread and int(sizes.max()) <= bag_size + spread
    assert set(sizes.tolist()) == set(range(bag_size - spread, bag_size + spread + 1))   # every size occurs
    assert int(bags.labels.sum()) == 150                                                  # half positive
    witnesses = bags.instance_labels.sum(1)
    expected = torch.tensor([witness_count(int(m), witness_rate) for m in sizes]) * bags.labels
    assert torch.equal(witnesses, expected)                     # positive bags: exactly the count; negative: none
    real = bags.mask
    assert torch.equal(bags.instance_labels.bool(), (bags.digits == 9) & real)   # a witness is a target digit
    assert bool((bags.digits[~real] == -1).all()) and bool((bags.instances[~real] == PAD).all())
    assert bool((bags.instances[real] >= 0).all() and (bags.instances[real] <= 1).all())


def test_generator_is_deterministic_and_moves_with_the_seeds(monkeypatch):
    a = make_bags(50, split="val", seed=3, bag_size=8, spread=2)
    b = make_bags(50, split="val", seed=3, bag_size=8, spread=2)
    assert torch.equal(a.instances, b.instances) and torch.equal(a.labels, b.labels)
    assert torch.equal(a.instance_labels, b.instance_labels)
    assert not torch.equal(a.instances, make_bags(50, split="val", seed=4, bag_size=8, spread=2).instances)
    assert not torch.equal(a.instances, make_bags(50, split="test", seed=3, bag_size=8, spread=2).instances)
    monkeypatch.setenv("WSL_SEED", "2")
    assert not torch.equal(a.instances, make_bags(50, split="val", seed=3, bag_size=8, spread=2).instances)


def test_splits_draw_on_disjoint_digit_pools():
    images, _, pools = digit_pool()
    for split in ("train", "test"):
        bags = make_bags(100, split=split, seed=0)
        own = {images[i].astype("float32").tobytes() for i in pools[split]}
        used = {x.numpy().tobytes() for x in bags.instances[bags.mask][:, 0]}
        assert used <= own


def test_bags_repr_and_rates():
    bags = make_bags(4, seed=0, bag_size=10, witness_rate=0.2)
    assert "4 bags of 10 to 10 digits, 2 positive (target digit 9)" in repr(bags)
    assert torch.allclose(bags.witness_rates(), 0.2 * bags.labels.float())
    x, label, instance_labels = bags[0]
    assert x.shape == (10, 1, 8, 8) and instance_labels.shape == (10,) and label.ndim == 0


def test_bags_reject_a_label_the_instances_contradict():
    bags = make_bags(4, seed=0)
    with pytest.raises(ValueError, match="standard MIL assumption"):
        Bags(bags.instances, 1 - bags.labels, bags.instance_labels, bags.digits, 9, "train")
