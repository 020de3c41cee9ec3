import pytest
import torch
from torch import nn

from wsl_lib.models import SmallCNN, check_cam_ready, resnet18_cam


@pytest.mark.parametrize("head", ["gap", "gmp", "flatten"])
def test_small_cnn_shapes(head):
    model = SmallCNN(6, head=head).eval()
    x = torch.rand(2, 3, 64, 64)
    assert model.features(x).shape == (2, 128, 8, 8)
    assert model(x).shape == (2, 6)


def test_same_body_different_heads_parameter_counts():
    counts = {h: sum(p.numel() for p in SmallCNN(6, head=h).parameters()) for h in ("gap", "gmp", "flatten")}
    body = sum(p.numel() for p in SmallCNN(6).body.parameters())
    assert counts["gap"] == counts["gmp"] == body + 128 * 6 + 6
    assert counts["flatten"] == body + 128 * 8 * 8 * 6 + 6


def test_deeper_body_gives_smaller_feature_maps():
    model = SmallCNN(6, widths=(16, 32, 64, 128, 128))
    assert model.feature_stride == 16
    assert model.features(torch.rand(1, 3, 64, 64)).shape == (1, 128, 4, 4)


def test_features_are_non_negative():
    assert (SmallCNN(6).eval().features(torch.randn(2, 3, 64, 64)) >= 0).all()


@pytest.mark.parametrize("small_input, side", [(True, 8), (False, 2)])
def test_resnet18_is_cam_ready_and_equals_torchvision(small_input, side):
    torch.manual_seed(0)
    model = resnet18_cam(num_classes=5, small_input=small_input).eval()
    x = torch.rand(2, 3, 64, 64)
    assert model.features(x).shape == (2, 512, side, side)
    check_cam_ready(model)
    # the wrapper shares the ResNet's modules: its forward is the ResNet's forward
    import torchvision
    resnet = torchvision.models.resnet18(weights=None, num_classes=5)
    resnet.conv1, resnet.maxpool = model.body[0], model.body[3]
    resnet.bn1 = model.body[1]
    resnet.layer1, resnet.layer2, resnet.layer3, resnet.layer4 = model.body[4:8]
    resnet.fc = model.classifier
    resnet.eval()
    torch.testing.assert_close(model(x), resnet(x))


def test_check_cam_ready_rejects_what_has_no_cam():
    with pytest.raises(TypeError, match="model: expected a model with a features"):
        check_cam_ready(nn.Linear(3, 4))
    with pytest.raises(TypeError, match="model: expected a torch.nn.Module"):
        check_cam_ready("resnet")
    with pytest.raises(ValueError, match="flatten"):
        check_cam_ready(SmallCNN(6, head="flatten"))


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(num_classes=0), ValueError, "num_classes"),
    (dict(head="avg"), ValueError, "head: expected one of 'gap', 'gmp', 'flatten'"),
    (dict(widths=(16,)), ValueError, "widths"),
    (dict(image_size=60), ValueError, "image_size: expected a multiple of the feature stride 8"),
])
def test_small_cnn_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        SmallCNN(**{"num_classes": 6, **kwargs})


def test_features_bad_input():
    with pytest.raises(ValueError, match="x: expected a tensor with 4 dimensions"):
        SmallCNN(6).features(torch.rand(3, 64, 64))
    with pytest.raises(TypeError, match="x: expected a floating-point tensor"):
        SmallCNN(6).features(torch.zeros(1, 3, 64, 64, dtype=torch.uint8))
    with pytest.raises(TypeError, match="resnet"):
        from wsl_lib.models import ResNetCAM
        ResNetCAM(nn.Linear(2, 2))


def test_box_regressor_outputs_valid_boxes_and_learns():
    from wsl_lib.data import make_shapes
    from wsl_lib.localize import paired_box_iou
    from wsl_lib.models import BoxRegressor
    from wsl_lib.seeding import seed_everything
    from wsl_lib.train import box_loss, fit
    seed_everything(0)
    model = BoxRegressor(widths=(8, 16, 16, 32))
    boxes = model(torch.rand(5, 3, 64, 64))
    assert boxes.shape == (5, 4) and (boxes[:, 2:] >= boxes[:, :2]).all()
    # it can fit: one batch of 16 boxes, 100 steps, is learned almost exactly (IoU 0.87 to 0.96 over
    # WSL_SEED 0-7; random weights give about 0.2), which a loss or an update that is wrong cannot do
    data = make_shapes(16, seed=0)
    fit(model, data.images, data.boxes, loss_fn=box_loss, epochs=100, batch_size=16, device="cpu", progress=False)
    after = paired_box_iou(model.eval()(data.images).detach(), data.boxes).mean()
    assert after > 0.75
