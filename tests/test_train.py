import pytest
import torch
from torch import nn

from wsl_lib import seeding, train
from wsl_lib.data import make_shapes
from wsl_lib.models import SmallCNN


def _tiny_run(seed, threads=None):
    data = make_shapes(128, seed=0)
    seeding.seed_everything(seed)
    model = SmallCNN(6, widths=(8, 8, 16, 16))
    old = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        history = train.fit(model, data.images, data.labels, epochs=1, batch_size=32, seed=seed,
                            device="cpu", progress=False)
    finally:
        torch.set_num_threads(old)
    return model, history


def test_fit_is_seeded():
    (a, ha), (b, hb) = _tiny_run(1), _tiny_run(1)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert ha == hb and len(ha.loss) == 1
    c, _ = _tiny_run(2)
    assert not torch.equal(next(a.parameters()), next(c.parameters()))


def test_fit_learns_and_leaves_eval_mode():
    # overfit one small batch of 32 images with 6 random labels: only weights that tell the
    # images apart reach zero error (a bias alone stays near ln 6 = 1.79 and 1/6 of them right)
    data = make_shapes(32, seed=0, image_size=32)
    labels = torch.randint(0, 6, (32,), generator=torch.Generator().manual_seed(1))
    seeding.seed_everything(0)                       # the initial weights, whatever ran before this test
    model = SmallCNN(6, widths=(8, 16, 16, 32), image_size=32)
    history = train.fit(model, data.images, labels, epochs=40, batch_size=32, lr=2e-2, device="cpu", progress=False)
    assert history.loss[-1] < 0.1 < 1.5 < history.loss[0]
    # in eval mode batch normalization uses its running statistics, which lag behind a batch that
    # was fitted for 40 steps: run seeds 0-9 (WSL_SEED), with one thread or two, name 78% to 100% of
    # the random labels; at least half is far above chance (1 in 6)
    assert train.accuracy(train.predict(model, data.images), labels) >= 0.5
    assert not model.training


def test_a_trained_model_computes_exactly_as_its_reloaded_copy():
    # fit trains in channels-last memory (faster convolutions); if the model stayed that way, it
    # would differ in the last digits from the same weights loaded from the cache, and a notebook
    # would print other numbers with a cold cache than with a warm one
    model, _ = _tiny_run(0)
    assert all(p.is_contiguous() for p in model.parameters())
    copy = SmallCNN(6, widths=(8, 8, 16, 16))
    copy.load_state_dict(model.state_dict())
    images = make_shapes(64, seed=3).images
    assert torch.equal(train.predict(model, images), train.predict(copy.eval(), images))


def test_progress_bar_is_plain_text_without_timings(capsys):
    data = make_shapes(64, seed=0)
    train.fit(SmallCNN(6, widths=(8, 8, 8, 8)), data.images, data.labels, epochs=2, batch_size=32, device="cpu")
    out = capsys.readouterr().out
    final = [line.split("\r")[-1] for line in out.strip().split("\n")]
    assert final == ["epoch 1/2: 100%|" + final[0].split("|")[1] + "| 2/2",
                     "epoch 2/2: 100%|" + final[1].split("|")[1] + "| 2/2"]
    assert "it/s" not in out and "s/it" not in out and "<" not in out


def test_fit_multi_label_and_per_pixel_targets():
    data = make_shapes(64, n_objects=2, seed=0)
    model = SmallCNN(6, widths=(8, 8, 8, 8))
    train.fit(model, data.images, data.labels, epochs=1, batch_size=32, device="cpu", progress=False)
    # a 1x1 "segmenter" with per-pixel class targets and an ignore value
    seg = nn.Conv2d(3, 7, 1)
    target = data.semantic_masks()
    target[:, :2] = 255
    history = train.fit(seg, data.images, target, epochs=1, batch_size=32, device="cpu", progress=False)
    assert torch.isfinite(torch.tensor(history.loss)).all()


def test_augment_hook_is_called_on_each_batch():
    data = make_shapes(64, seed=0)
    calls = []

    def augment(x, y, g):
        calls.append(x.shape[0])
        return x.flip(-1), y

    train.fit(SmallCNN(6, widths=(8, 8, 8, 8)), data.images, data.labels, epochs=1, batch_size=16,
              augment=augment, device="cpu", progress=False)
    assert calls == [16, 16, 16, 16]


def test_predict_and_accuracy():
    model = SmallCNN(6).eval()
    x = torch.rand(7, 3, 64, 64)
    logits = train.predict(model, x, batch_size=3)
    torch.testing.assert_close(logits, model(x))
    assert train.accuracy(torch.eye(3), torch.tensor([0, 1, 0])) == pytest.approx(2 / 3)


def test_default_device_is_cuda_only_when_present():
    assert train.default_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_on_epoch_is_called_after_every_epoch_and_last_with_the_returned_model():
    x = torch.rand(32, 3, 8, 8)
    y = torch.arange(32) % 3
    seen = []

    def on_epoch(epoch, model):
        seen.append((epoch, model.training, model.classifier.weight.detach().clone()))

    seeding.seed_everything(0)
    model = SmallCNN(3, widths=(4, 8), image_size=8)
    result = train.fit(model, x, y, epochs=3, batch_size=16, progress=False, device="cpu", on_epoch=on_epoch)
    assert [e for e, _, _ in seen] == [1, 2, 3] and len(result.loss) == 3
    assert [t for _, t, _ in seen] == [True, True, False]        # the last call sees the model fit returns
    assert torch.equal(seen[-1][2], model.classifier.weight)
    assert not torch.equal(seen[0][2], seen[1][2])               # called between epochs, not after all of them
    seeding.seed_everything(0)
    again = SmallCNN(3, widths=(4, 8), image_size=8)
    train.fit(again, x, y, epochs=3, batch_size=16, progress=False, device="cpu")
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))
