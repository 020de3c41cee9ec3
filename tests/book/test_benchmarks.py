"""The benchmarks compare like with like: wsl_lib's CAMs equal TorchCAM's, fit computes what a bare
training loop computes, and the benchmark scripts run.

TorchCAM and pytorch-grad-cam are benchmark-only dependencies (requirements-bench.txt);
`make install`, and so CI, installs them, so the CAM tests run there (slow: left out of
`make unit`); the training benchmark's tests need neither and are fast.
"""

import copy
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
import torch

import wsl_lib as wsl

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_cam  # noqa: E402  (it imports TorchCAM and pytorch-grad-cam only when it runs them)
import bench_train  # noqa: E402

_MISSING = [name for name in ("torchcam", "pytorch_grad_cam") if find_spec(name) is None]


def cam_test(test):
    """A test of bench_cam: slow (left out of `make unit`), skipped without TorchCAM and pytorch-grad-cam."""
    skip = pytest.mark.skipif(bool(_MISSING), reason=f"benchmark requirements not installed ({', '.join(_MISSING)}): "
                              "pip install -r requirements-bench.txt")
    return pytest.mark.slow(skip(test))


@cam_test
@pytest.mark.parametrize("size", [64, 96])
def test_wsl_lib_cams_equal_torchcam_cams(size):
    model, images = bench_cam.make_model_and_batch(size, batch=4, seed=1)
    assert bench_cam.max_difference_to_torchcam(model, images) <= bench_cam.TOLERANCE


@cam_test
def test_equal_for_every_class_not_only_the_predicted_one():
    from torchcam.methods import CAM

    model, images = bench_cam.make_model_and_batch(64, batch=3, seed=2)
    ours = wsl.models.ResNetCAM(model)
    classes = torch.tensor([0, 17, 999])
    _, mine = wsl.cam.compute_cams(ours, images, classes=classes, size=None)
    with CAM(model, target_layer="layer4", fc_layer="fc") as extractor, torch.no_grad():
        scores = model(images)
        theirs = extractor(classes.tolist(), scores, normalized=False)[0]
    torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5)


@cam_test
def test_equal_to_torchcams_own_normalized_maps():
    """TorchCAM's own min-max normalization (normalized=True), none of wsl_lib's post-processing.

    TorchCAM returns maps at feature resolution (it leaves resizing to its overlay function), so
    the comparison is at that resolution: wsl_lib's einsum and its normalize both checked.
    """
    from torchcam.methods import CAM

    model, images = bench_cam.make_model_and_batch(96, batch=3, seed=4)
    ours = wsl.models.ResNetCAM(model)
    _, mine = wsl.cam.compute_cams(ours, images, classes="predicted", size=None, normalization="minmax")
    with CAM(model, target_layer="layer4", fc_layer="fc") as extractor, torch.no_grad():
        scores = model(images)
        theirs = extractor(scores.argmax(1).tolist(), scores, normalized=True)[0]
    assert theirs.shape == mine.shape == (3, 3, 3)
    torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5)


@cam_test
def test_the_benchmark_times_every_method_and_leaves_no_hook_behind():
    model, images = bench_cam.make_model_and_batch(32, batch=2)
    medians = bench_cam.time_methods(model, images, repeats=1)
    assert set(medians) == {"forward", "wsl_lib", "torchcam", "gradcam"} and min(medians.values()) > 0
    # each method ran on its own copy and removed its hooks; the original model was never hooked
    assert not any(m._forward_hooks or m._backward_hooks or m._forward_pre_hooks for m in model.modules())


@pytest.mark.parametrize("name", ["classifier", "box regressor", "segmenter"])
def test_the_training_benchmark_compares_fit_with_a_bare_loop_computing_the_same(name):
    """Tiny models, 2 steps: both loops give positive throughputs, and identical weights and losses."""
    result = bench_train.measure(bench_train.setups(tiny=True)[name], steps=2, rounds=1, check_steps=2)
    assert result.fit > 0 and result.bare > 0 and result.ratio > 0
    assert result.difference == 0.0 and result.losses_equal


def test_the_training_check_sees_a_different_computation():
    """The same-computation check is not vacuous: another learning rate in the bare loop changes the weights."""
    setup = bench_train.setups(tiny=True)["classifier"]
    torch.manual_seed(0)
    ours = setup.model()
    theirs = copy.deepcopy(ours)
    inputs, targets = setup.data(8, torch.Generator().manual_seed(0))
    bench_train.runners(setup, inputs, targets)["fit"](ours)
    bench_train.runners(setup._replace(lr=setup.lr / 2), inputs, targets)["bare"](theirs)
    assert bench_train.largest_difference(ours, theirs) > 0
