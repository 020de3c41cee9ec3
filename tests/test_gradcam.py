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
    # Grad-CAM++ (eq. 19: a = g^2 / (2 g^2 + g^3 sum_ab A_ab), g taken at the position itself):
    # channel 0: g = 1, sum A0 = 4 -> a = 1 / (2 + 4) = 1 / 6 everywhere, alpha_0 = 4 / 6;
    # channel 1: relu(g) is nonzero only at (0, 1), where g = 3 and sum A1 = 1:
    # a = 9 / (18 + 27) = 1 / 5, alpha_1 = 3 / 5. (Summing A g^3 over positions instead, a wrong
    # reading of the formula, gives 9 / (18 - 1) there.)
    expected = torch.relu(4 / 6 * a[0, 0] + 3 / 5 * a[0, 1])
    torch.testing.assert_close(gradcam.combine(a, g, "gradcam++")[0], expected)


def test_grad_cam_pp_equals_pytorch_grad_cam_where_gradients_vary():
    """On ResNet-18's layer3 the gradient varies over positions, so a wrong denominator shows.

    pytorch-grad-cam adds 1e-6 to the denominator; the logits are scaled by 1000 so that the
    gradients (about 1) make that constant negligible. Compared at feature resolution, before
    any resizing (the two libraries resize differently).
    """
    pytest.importorskip("pytorch_grad_cam", reason="benchmark requirements not installed")
    torchvision = pytest.importorskip("torchvision")
    from pytorch_grad_cam import GradCAMPlusPlus

    torch.manual_seed(0)
    resnet = torchvision.models.resnet18(weights=None).eval()
    model = nn.Sequential(resnet, nn.Identity())
    model.forward = lambda x: 1000 * resnet(x)
    images = torch.randn(3, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    classes = torch.tensor([1, 5, 9])
    _, activations, gradients, _ = gradcam.score_gradients(model, images, classes, layer=resnet.layer3)
    assert float(gradients.std(dim=(2, 3)).mean()) > 0.1, "the test needs gradients that vary over positions"
    ours = gradcam.combine(activations, gradients, "gradcam++")
    weights = GradCAMPlusPlus(model=resnet, target_layers=[resnet.layer3]).get_cam_weights(
        images, resnet.layer3, None, activations.numpy(), gradients.numpy())
    theirs = torch.relu((torch.as_tensor(weights)[:, :, None, None] * activations).sum(1))
    torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-4 * float(theirs.abs().max()))
    _, maps = gradcam.grad_cam_pp(model, images, classes=classes, layer=resnet.layer3, size=None)
    torch.testing.assert_close(maps, ours)


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
