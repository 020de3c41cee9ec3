"""wsl_lib.cache: the per-user model cache (weights-only files, keyed by the settings)."""

import pytest
import torch

from wsl_lib import cache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WSL_LIB_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _make():
    torch.manual_seed(0)
    return torch.nn.Linear(3, 2)


def _count_training():
    calls = []

    def train(model):
        calls.append(1)
        with torch.no_grad():
            model.weight.fill_(0.5)
    return calls, train


def test_cache_round_trip_uses_weights_only_files(cache_dir):
    calls, train = _count_training()
    config = {"recipe": "test", "n": 1}
    a = cache.cached_model(config, _make, train)
    b = cache.cached_model(config, _make, train)
    assert len(calls) == 1 and torch.equal(a.weight, b.weight) and (b.weight == 0.5).all()
    (path,) = cache_dir.glob("test-*.pt")
    payload = torch.load(path, weights_only=True)             # a plain, code-free file
    assert payload["key"] == cache.cache_key(config) and payload["format"] == cache.FORMAT_VERSION


def test_other_settings_other_entry(cache_dir):
    calls, train = _count_training()
    cache.cached_model({"recipe": "test", "n": 1}, _make, train)
    cache.cached_model({"recipe": "test", "n": 2}, _make, train)
    assert len(calls) == 2 and len(list(cache_dir.glob("*.pt"))) == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "stale"])
def test_corrupt_or_stale_file_is_rebuilt(cache_dir, damage):
    calls, train = _count_training()
    config = {"recipe": "test"}
    cache.cached_model(config, _make, train)
    (path,) = cache_dir.glob("*.pt")
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:40])
    elif damage == "garbage":
        path.write_bytes(b"not a torch file")
    else:
        payload = torch.load(path, weights_only=True)
        payload["format"] = 0                                # an older version of the format
        torch.save(payload, path)
    with pytest.warns(UserWarning, match="it will be rebuilt"):
        model = cache.cached_model(config, _make, train)
    assert len(calls) == 2 and (model.weight == 0.5).all()
    assert torch.load(path, weights_only=True)["format"] == cache.FORMAT_VERSION   # replaced


def test_unwritable_cache_still_trains(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("WSL_LIB_CACHE", str(blocker / "cache"))        # a directory under a file
    calls, train = _count_training()
    cache.cached_model({"recipe": "t"}, _make, train)
    cache.cached_model({"recipe": "t"}, _make, train)
    assert len(calls) == 2


def test_cache_dir_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("WSL_LIB_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "wsl_lib"
    with pytest.raises(TypeError, match="config: expected a dict"):
        cache.cache_key(["not", "a", "dict"])
