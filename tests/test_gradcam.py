import pytest
import torch
from torch import nn

from wsl_lib import cam, gradcam, models


@pytest.fixture(scope="module")
def gap_model():
    torch.manual_seed(0)
    model = models.SmallCNN(3, head="gap", widths=(4, 8, 8)).eval()
    for m in model.modules():                       # non-trivial running statistics
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return model


def _no_hooks(model):
    return all(len(m._forward_hooks) == 0 for m in model.modules())


def test_gradcam_equals_relu_cam_over_z_on_gap_linear(gap_model):
    images = torch.rand(5, 3, 32, 32)
    classes = torch.tensor([0, 1, 2, 0, 1])
    assert gradcam.gradcam_identity_gap(gap_model, images, classes) < 1e-6
    _, cams = cam.compute_cams(gap_model, images, classes=classes, size=None)
    _, maps = gradcam.grad_cam(gap_model, images, classes=classes, size=None)
    torch.testing.assert_close(maps, torch.relu(cams) / 64, atol=1e-6, rtol=1e-5)
    assert _no_hooks(gap_model)


def test_hand_worked_combinations():
    a = torch.tensor([[[[1.0, 2.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 0.0]]]])      # (1, 2, 2, 2)
    g = torch.tensor([[[[1.0, 1.0], [1.0, 1.0]], [[-1.0, 3.0], [-2.0, -2.0]]]])
    # Grad-CAM: alpha = (1, -0.5); map = relu(A0 - 0.5 A1) = [[0.5, 2], [0, 1]]
    assert gradcam.combine(a, g, "gradcam").tolist() == [[[0.5, 2.0], [0.0, 1.0]]]
    # LayerCAM: relu(relu(g) * A) summed: channel 0 gives A0, channel 1 gives 3 * 0 at (0, 1) -> A0
    assert gradcam.combine(a, g, "layercam").tolist() == [[[1.0, 2.0], [0.0, 1.0]]]
    # Grad-CAM++ channel 0: g = 1, sum A g^3 = 4 -> a = 1 / 6 everywhere, alpha_0 = 4 / 6;
    # channel 1: relu(g) is nonzero only at (0, 1), where A = 0: a = 9 / (18 + (-1)) , alpha_1 = 3 * 9 / 17
    expected = torch.relu(4 / 6 * a[0, 0] + 27 / 17 * a[0, 1])
    torch.testing.assert_close(gradcam.combine(a, g, "gradcam++")[0], expected)


def test_zero_gradients_give_zero_maps_not_nan():
    a = torch.rand(2, 3, 4, 4)
    for method in gradcam.METHODS:
        out = gradcam.combine(a, torch.zeros_like(a), method)
        assert torch.equal(out, torch.zeros(2, 4, 4))


def test_each_map_depends_on_its_own_image_only(gap_model):
    images = torch.rand(6, 3, 32, 32)
    for method in gradcam.METHODS:
        _, together = gradcam.gradient_cams(gap_model, images, method=method, batch_size=6)
        _, apart = gradcam.gradient_cams(gap_model, images, method=method, batch_size=1)
        torch.testing.assert_close(together, apart, atol=1e-5, rtol=1e-4)


def test_works_on_flatten_head_where_cam_does_not():
    torch.manual_seed(0)
    model = models.SmallCNN(2, head="flatten", widths=(4, 8), image_size=16).eval()
    with pytest.raises(ValueError, match="flatten"):
        cam.compute_cams(model, torch.rand(2, 3, 16, 16))
    logits, maps = gradcam.grad_cam(model, torch.rand(2, 3, 16, 16), normalization="minmax")
    assert maps.shape == (2, 16, 16) and logits.shape == (2, 2)
    assert float(maps.min()) >= 0 and float(maps.max()) <= 1
    assert _no_hooks(model)


def test_hook_removed_even_after_an_error(gap_model):
    with pytest.raises(ValueError, match="classes"):
        gradcam.grad_cam(gap_model, torch.rand(2, 3, 32, 32), classes=torch.tensor([0, 7]))
    assert _no_hooks(gap_model)
    with pytest.raises(RuntimeError):
        with gradcam.capture_output(gap_model.body):
            raise RuntimeError("boom")
    assert _no_hooks(gap_model)


def test_predicted_classes_and_sizes(gap_model):
    images = torch.rand(3, 3, 32, 32)
    logits, maps = gradcam.layer_cam(gap_model, images, size=(10, 12))
    assert maps.shape == (3, 10, 12)
    logits2, _, _, chosen = gradcam.score_gradients(gap_model, images)
    assert torch.equal(chosen, logits.argmax(1))
    _, pp = gradcam.grad_cam_pp(gap_model, images, classes=chosen, size=None)
    assert pp.shape == (3, 8, 8)


@pytest.mark.parametrize("call, error, words", [
    (lambda m: gradcam.grad_cam(m, torch.rand(2, 3, 32, 32), classes=torch.tensor([0])), ValueError, "mismatched batch sizes"),
    (lambda m: gradcam.grad_cam(m, torch.rand(2, 3, 32, 32), classes="true"), ValueError, "classes"),
    (lambda m: gradcam.grad_cam(m, torch.rand(2, 32, 32)), ValueError, "images"),
    (lambda m: gradcam.grad_cam(m, torch.full((1, 3, 32, 32), float("nan"))), ValueError, "images: expected finite"),
    (lambda m: gradcam.gradient_cams(m, torch.rand(1, 3, 32, 32), method="scorecam"), ValueError, "method"),
    (lambda m: gradcam.score_gradients("net", torch.rand(1, 3, 32, 32)), TypeError, "model"),
    (lambda m: gradcam.score_gradients(nn.Linear(2, 2), torch.rand(1, 3, 32, 32)), ValueError, "layer"),
    (lambda m: gradcam.score_gradients(m, torch.rand(1, 3, 32, 32), layer=m.classifier), ValueError, "layer"),
    (lambda m: gradcam.combine(torch.rand(1, 2, 3, 3), torch.rand(1, 2, 3, 4)), ValueError, "gradients"),
    (lambda m: gradcam.capture_output("body").__enter__(), TypeError, "layer"),
])
def test_bad_input(gap_model, call, error, words):
    with pytest.raises(error, match=words):
        call(gap_model)
    assert _no_hooks(gap_model)
