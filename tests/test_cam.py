import pytest
import torch
import torch.nn.functional as F

from wsl_lib import cam
from wsl_lib.models import SmallCNN, resnet18_cam


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    m = SmallCNN(6).eval()
    # random, non-trivial BatchNorm statistics so the features are not all alike
    for module in m.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    return m


def test_three_computations_agree():
    torch.manual_seed(1)
    f, w = torch.rand(3, 5, 4, 4), torch.randn(7, 5)
    einsum = cam.class_activation_maps(f, w)
    loop = torch.stack([sum(w[c, k] * f[:, k] for k in range(5)) for c in range(7)], 1)
    conv = F.conv2d(f, w[:, :, None, None])
    torch.testing.assert_close(einsum, loop)
    torch.testing.assert_close(einsum, conv)


@pytest.mark.parametrize("seed", range(3))
def test_cam_identity_on_random_models(seed):
    torch.manual_seed(seed)
    widths = [(8, 16, 32), (16, 32, 64, 128), (8, 8, 16, 16, 32)][seed]
    m = SmallCNN(4 + seed, widths=widths).eval()
    assert cam.cam_identity_gap(m, torch.rand(5, 3, 64, 64)) < 1e-4


def test_cam_identity_on_resnet18():
    torch.manual_seed(0)
    m = resnet18_cam(num_classes=10, small_input=True).eval()
    assert cam.cam_identity_gap(m, torch.rand(2, 3, 64, 64)) < 1e-4


def test_compute_cams_shapes_and_class_selection(model):
    x = torch.rand(4, 3, 64, 64)
    logits, all_maps = cam.compute_cams(model, x, size=None)
    assert logits.shape == (4, 6) and all_maps.shape == (4, 6, 8, 8)
    labels = torch.tensor([0, 5, 2, 2])
    _, chosen = cam.compute_cams(model, x, classes=labels, size=None)
    torch.testing.assert_close(chosen, all_maps[torch.arange(4), labels])
    _, predicted = cam.compute_cams(model, x, classes="predicted", size=None)
    torch.testing.assert_close(predicted, all_maps[torch.arange(4), logits.argmax(1)])
    _, up = cam.compute_cams(model, x, classes=labels)
    assert up.shape == (4, 64, 64)
    _, sized = cam.compute_cams(model, x, classes=labels, size=(32, 16))
    assert sized.shape == (4, 32, 16)


def test_one_image_cam_does_not_depend_on_the_batch(model):
    x = torch.rand(6, 3, 64, 64)
    _, alone = cam.compute_cams(model, x[2:3])
    _, together = cam.compute_cams(model, x)
    torch.testing.assert_close(alone[0], together[2], atol=1e-5, rtol=1e-5)


def test_normalize():
    maps = torch.tensor([[[-1.0, 0.0], [1.0, 3.0]], [[2.0, 2.0], [2.0, 2.0]], [[-1.0, -2.0], [-3.0, -1.0]]])
    torch.testing.assert_close(cam.normalize(maps, "none"), maps)
    torch.testing.assert_close(cam.normalize(maps, "minmax")[0], torch.tensor([[0.0, 0.25], [0.5, 1.0]]))
    torch.testing.assert_close(cam.normalize(maps, "max")[0], torch.tensor([[0.0, 0.0], [1 / 3, 1.0]]))
    # constant map -> zeros (minmax); all-negative map -> zeros (max); all-zero map -> zeros (both)
    assert (cam.normalize(maps, "minmax")[1] == 0).all()
    assert (cam.normalize(maps, "max")[2] == 0).all()
    assert (cam.normalize(torch.zeros(1, 4, 4), "max") == 0).all()
    assert (cam.normalize(torch.zeros(1, 4, 4), "minmax") == 0).all()


def test_normalize_rejects_nan_and_inf():
    with pytest.raises(ValueError, match="maps: expected finite values, got a tensor containing NaN"):
        cam.normalize(torch.tensor([[[0.0, float("nan")]]]))
    with pytest.raises(ValueError, match="infinite"):
        cam.normalize(torch.tensor([[[0.0, float("inf")]]]))


def test_upsample():
    maps = torch.rand(2, 3, 4, 4)
    assert cam.upsample(maps, (8, 12)).shape == (2, 3, 8, 12)
    assert cam.upsample(maps[:, 0], (8, 8)).shape == (2, 8, 8)
    # a constant map stays constant
    torch.testing.assert_close(cam.upsample(torch.ones(1, 4, 4), (16, 16)), torch.ones(1, 16, 16))
