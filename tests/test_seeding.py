"""wsl_lib.seeding: the seed knob (WSL_SEED) and where the run seed reaches (data, weights, shuffling, cache keys)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import wsl_lib as wsl
from wsl_lib import cache, seeding


def test_unset_or_zero_run_seed_changes_nothing(monkeypatch):
    monkeypatch.delenv("WSL_SEED", raising=False)
    unset = wsl.data.make_shapes(8, split="val", seed=3)
    assert seeding.run_seed() == 0 and seeding.shifted(3) == 3
    monkeypatch.setenv("WSL_SEED", "0")
    zero = wsl.data.make_shapes(8, split="val", seed=3)
    assert torch.equal(unset.images, zero.images) and torch.equal(unset.boxes, zero.boxes)
    monkeypatch.setenv("WSL_SEED", "")
    assert seeding.run_seed() == 0


def test_another_run_seed_moves_data_weights_and_shuffling(monkeypatch):
    monkeypatch.delenv("WSL_SEED", raising=False)
    data0 = wsl.data.make_shapes(8, split="val", seed=0)
    seeding.seed_everything(0)
    weights0 = wsl.models.SmallCNN(6).classifier.weight.clone()
    order0 = torch.randperm(50, generator=seeding.generator(0))
    monkeypatch.setenv("WSL_SEED", "4")
    assert seeding.run_seed() == 4 and seeding.shifted(2) == 2 + 4 * seeding.SEED_STRIDE
    data4 = wsl.data.make_shapes(8, split="val", seed=0)
    seeding.seed_everything(0)
    weights4 = wsl.models.SmallCNN(6).classifier.weight.clone()
    order4 = torch.randperm(50, generator=seeding.generator(0))
    assert not torch.equal(data0.images, data4.images)
    assert not torch.equal(weights0, weights4)
    assert not torch.equal(order0, order4)
    # the same run seed gives the same draw again
    assert torch.equal(data4.images, wsl.data.make_shapes(8, split="val", seed=0).images)


def test_the_run_seed_enters_the_model_cache_key(monkeypatch):
    monkeypatch.delenv("WSL_SEED", raising=False)
    key0 = cache.cache_key({"recipe": "x"})
    monkeypatch.setenv("WSL_SEED", "1")
    assert cache.cache_key({"recipe": "x"}) != key0


def test_fit_shuffles_with_the_run_seed(monkeypatch):
    x = torch.randn(16, 3, generator=torch.Generator().manual_seed(0))
    y = torch.arange(16) % 2

    def trained():
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        wsl.train.fit(model, x, y, epochs=1, batch_size=4, seed=0, progress=False, device="cpu")
        return model.weight.detach().clone()

    monkeypatch.delenv("WSL_SEED", raising=False)
    a, b = trained(), trained()
    monkeypatch.setenv("WSL_SEED", "2")
    c = trained()
    assert torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize("value", ["-1", "1.0", "three", "0x2", " 2 3"])
def test_a_bad_run_seed_is_named(monkeypatch, value):
    monkeypatch.setenv("WSL_SEED", value)
    with pytest.raises(ValueError, match=r"^WSL_SEED: expected a non-negative integer"):
        wsl.data.make_shapes(2, seed=0)
