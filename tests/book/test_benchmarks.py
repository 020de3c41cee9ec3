"""The benchmarks compare like with like: wsl_lib's CAMs equal TorchCAM's, and the benchmark script runs.

TorchCAM and pytorch-grad-cam are benchmark-only dependencies (requirements-bench.txt);
`make install`, and so CI, installs them, so these tests run there.
"""

import sys
from pathlib import Path

import pytest
import torch

import wsl_lib as wsl

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
pytest.importorskip("torchcam", reason="benchmark requirements not installed: pip install -r requirements-bench.txt")
pytest.importorskip("pytorch_grad_cam", reason="benchmark requirements not installed")

import bench_cam  # noqa: E402

pytestmark = pytest.mark.slow            # left out of `make unit`


@pytest.mark.parametrize("size", [64, 96])
def test_wsl_lib_cams_equal_torchcam_cams(size):
    model, images = bench_cam.make_model_and_batch(size, batch=4, seed=1)
    assert bench_cam.max_difference_to_torchcam(model, images) <= bench_cam.TOLERANCE


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


def test_the_benchmark_times_every_method_and_leaves_no_hook_behind():
    model, images = bench_cam.make_model_and_batch(32, batch=2)
    medians = bench_cam.time_methods(model, images, repeats=1)
    assert set(medians) == {"forward", "wsl_lib", "torchcam", "gradcam"} and min(medians.values()) > 0
    # each method ran on its own copy and removed its hooks; the original model was never hooked
    assert not any(m._forward_hooks or m._backward_hooks or m._forward_pre_hooks for m in model.modules())
