import matplotlib
import pytest
import torch

matplotlib.use("Agg")

from wsl_lib import cache, claims, viz  # noqa: E402
from wsl_lib.claims import ClaimError, claim  # noqa: E402


# ----------------------------------------------------------------- viz

def test_overlay_heatmap_and_grid_shapes():
    img = torch.rand(3, 16, 16)
    assert viz.heatmap(torch.rand(16, 16)).shape == (3, 16, 16)
    out = viz.overlay(img, torch.rand(4, 4))           # upsampled to the image
    assert out.shape == (3, 16, 16) and 0 <= out.min() and out.max() <= 1
    assert (viz.heatmap(torch.zeros(5, 5)) == viz.heatmap(torch.zeros(5, 5))[:, :1, :1]).all()  # flat map: one colour


def test_draw_boxes_upscales_and_skips_empty_boxes():
    img = torch.zeros(3, 10, 10)
    out = viz.draw_boxes(img, torch.tensor([[1.0, 1, 5, 5], [0.0, 0, 0, 0]]), colours=["red", "lime"], scale=2, width=1)
    assert out.shape == (3, 20, 20) and out.dtype == torch.uint8
    assert out[0, 2, 2] == 255 and out[0, 9, 9] == 255 and out[0, 10, 10] == 0   # corners of the red box
    assert out[1].sum() == 0                                                      # the empty lime box is not drawn
    assert torch.equal(viz.draw_boxes(img, torch.zeros(1, 4)), viz.to_uint8(img).repeat_interleave(4, 1).repeat_interleave(4, 2))


def test_draw_masks_and_show_images():
    img = torch.rand(3, 8, 8)
    mask = torch.zeros(8, 8, dtype=torch.bool)
    mask[2:4, 2:4] = True
    out = viz.draw_masks(img, mask, scale=3)
    assert out.shape == (3, 24, 24)
    fig = viz.show_images([img, torch.rand(8, 8), out], titles=["a", "b", "c"], ncols=2)
    assert len(fig.axes) == 4
    matplotlib.pyplot.close(fig)


# ----------------------------------------------------------------- claims

def test_claim_prints_a_check_mark(capsys):
    claim(True, "two is more than one")
    claim(torch.tensor(True), "a bool tensor works")
    assert capsys.readouterr().out == "\u2713 two is more than one\n\u2713 a bool tensor works\n"


def test_false_claim_raises_with_the_statement():
    with pytest.raises(ClaimError, match="claim failed: weak beats full"):
        claim(False, "weak beats full")
    assert issubclass(ClaimError, AssertionError)


@pytest.mark.parametrize("condition", [1, 0.5, torch.tensor([True, False]), torch.tensor(1.0), "yes", None])
def test_claim_rejects_non_bools(condition):
    with pytest.raises(TypeError, match="condition: expected"):
        claim(condition, "something")


def test_claim_needs_a_statement():
    with pytest.raises(TypeError, match="statement"):
        claim(True, "  ")
    assert claims.CHECK_MARK == "\u2713"


# ----------------------------------------------------------------- cache

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
