"""Nothing touches the network: data, models, training, CAMs and metrics run with every socket refused.

A reader behind a firewall, or on a train, must be able to run the whole book. The test
patches every way Python opens a connection to raise, then exercises the library end to
end (including the model cache and a torchvision ResNet, whose weights must never be fetched).
"""

import socket

import pytest
import torch

import wsl_lib as wsl


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise NetworkUsed(f"a network connection was attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_patch_really_refuses(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80), timeout=1)
    with pytest.raises(NetworkUsed):
        socket.socket().connect(("127.0.0.1", 9))


def test_the_library_runs_offline(no_network, tmp_path, monkeypatch):
    monkeypatch.setenv("WSL_LIB_CACHE", str(tmp_path))
    shapes = wsl.data.make_shapes(64, split="train", seed=3)
    digits = wsl.data.make_digits(16, split="test", seed=3)
    assert len(shapes) == 64 and len(digits) == 16
    model = wsl.recipes.trained_classifier("shapes", widths=(8, 16), n_train=64, epochs=1, progress=False)
    again = wsl.recipes.trained_classifier("shapes", widths=(8, 16), n_train=64, epochs=1, progress=False)
    assert list(tmp_path.iterdir()), "the trained model was cached"
    torch.testing.assert_close(model.classifier.weight, again.classifier.weight)
    logits, cams = wsl.cam.compute_cams(model, shapes.images[:8], classes=shapes.labels[:8], normalization="minmax")
    boxes = wsl.localize.boxes_from_maps(cams)
    wsl.localize.localization_accuracy(boxes, shapes.boxes[:8])
    wsl.metrics.max_box_accuracy_v2(cams, shapes.boxes[:8])
    wsl.metrics.pixel_average_precision(cams, shapes.masks[:8])
    resnet = wsl.models.resnet18_cam(10, small_input=True).eval()
    _, maps = wsl.cam.compute_cams(resnet, shapes.images[:2])
    assert maps.shape == (2, 10, 64, 64)
