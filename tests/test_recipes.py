"""wsl_lib.recipes: the book's classifier, trained once and then loaded from the model cache."""

import pytest
import torch

from wsl_lib import recipes
from wsl_lib.models import SmallCNN


def test_trained_classifier_rejects_an_unknown_dataset_or_augment():
    with pytest.raises(ValueError, match="dataset: expected one of 'shapes', 'digits', got 'cifar'"):
        recipes.trained_classifier("cifar")
    with pytest.raises(ValueError, match="augment: expected None or one of 'hide_and_seek'"):
        recipes.trained_classifier("shapes", augment="mixup")


def test_a_tiny_recipe_trains_once_and_loads_the_same_weights_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WSL_LIB_CACHE", str(tmp_path))
    settings = dict(widths=(8, 16), n_train=64, epochs=1, device="cpu")
    first = recipes.trained_classifier("shapes", **settings)
    assert isinstance(first, SmallCNN) and not first.training
    assert len(list(tmp_path.glob("classifier-*.pt"))) == 1

    def no_training(*args, **kwargs):
        raise AssertionError("the second call trained again instead of loading the cache")
    monkeypatch.setattr(recipes, "fit", no_training)
    second = recipes.trained_classifier("shapes", **settings)
    assert not second.training and second is not first
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
