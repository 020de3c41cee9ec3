"""The threshold sweep (wsl_lib.metrics.iou_curve, component_boxes) equals plain per-threshold loops.

wsl_lib finds the components of every threshold at once, on run-length encoded rows; here it
is checked, value for value, against the obvious loop (one scipy label per map and threshold)
on maps chosen to break it: random sizes, 1-pixel-wide maps, constant and all-zero maps,
holes with islands inside, single-pixel components, ties for the largest component; and
against the benchmark's OpenCV loop when OpenCV is installed.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage as ndi
import torch

from wsl_lib import metrics
from wsl_lib.localize import best_iou

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench_sweep  # noqa: E402


def slow_iou_curve(maps, gt, thresholds, components):
    """One scipy label per map and threshold; the largest component is the first of the most pixels."""
    taus = thresholds.to(maps.dtype).tolist()
    out = torch.zeros(len(maps), len(taus))
    for i, scores in enumerate(maps.numpy()):
        for j, tau in enumerate(taus):
            labels, n = ndi.label(scores >= tau, structure=np.ones((3, 3)))
            if n == 0:
                continue
            sizes = np.bincount(labels.ravel())[1:]
            ids = [int(sizes.argmax()) + 1] if components == "largest" else range(1, n + 1)
            boxes = []
            for k in ids:
                ys, xs = np.nonzero(labels == k)
                boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
            boxes = torch.tensor(boxes, dtype=torch.float32)
            out[i, j] = best_iou(boxes, gt[i:i + 1].expand(len(boxes), *gt.shape[1:])).max()
    return out


def random_gt(n, h, w, g, k=None):
    x = torch.randint(0, w, (n, 2), generator=g).sort(1).values.float()
    y = torch.randint(0, h, (n, 2), generator=g).sort(1).values.float()
    gt = torch.stack([x[:, 0], y[:, 0], x[:, 1] + 1, y[:, 1] + 1], 1)
    return gt if k is None else torch.stack([gt, gt.roll(1, 0)], 1)


def tricky_maps(g):
    """A list of (name, maps (N, H, W) in [0, 1]) that exercise the edge cases."""
    out = []
    for h, w in [(1, 17), (13, 1), (1, 1), (5, 9), (16, 16), (23, 31)]:
        out.append((f"noise {h}x{w}", torch.rand(3, h, w, generator=g)))
        grid = torch.rand(3, 1, 3, 3, generator=g)
        smooth = torch.nn.functional.interpolate(grid, size=(h, w), mode="bilinear")[:, 0]
        out.append((f"smooth {h}x{w}", (smooth - smooth.amin()) / (smooth.amax() - smooth.amin() + 1e-9)))
    out.append(("constant", torch.full((2, 7, 9), 0.37)))
    out.append(("all zero", torch.zeros(2, 6, 6)))
    out.append(("all one", torch.ones(2, 6, 6)))
    ring = torch.zeros(1, 12, 12)
    ring[0, 1:11, 1:11] = 0.5                           # a square ring with a hole ...
    ring[0, 3:9, 3:9] = 0.0
    ring[0, 5:7, 5:7] = 1.0                             # ... and an island in the hole
    ring[0, 0, 11] = 0.8                                # a single pixel touching the ring by a corner
    out.append(("ring, hole, island", ring))
    dots = torch.zeros(1, 9, 9)
    dots[0, ::2, ::2] = torch.rand(5, 5, generator=g)   # single pixels, 8-connected only through corners
    dots[0, 1::4, 1::4] = 0.6
    out.append(("dots and corners", dots))
    ties = torch.zeros(1, 8, 10)
    ties[0, 5:7, 0:2] = 1.0                             # two components of 4 pixels: the first in raster
    ties[0, 1:3, 6:8] = 1.0                             # order (this one, top row 1) must win
    ties[0, 1, 0] = 0.5
    out.append(("ties", ties))
    levels = torch.randint(0, 5, (4, 11, 13), generator=g).float() / 4
    out.append(("few levels", levels))                  # many plateaus at exactly a threshold
    return out


@pytest.mark.parametrize("components", ["largest", "all"])
def test_sweep_equals_slow_loop_on_tricky_maps(components):
    g = torch.Generator().manual_seed(0)
    thresholds = torch.tensor([0.0, 0.1, 0.25, 0.37, 0.5, 0.6, 0.75, 0.9, 1.0], dtype=torch.float64)
    for name, maps in tricky_maps(g):
        n, h, w = maps.shape
        gt = random_gt(n, h, w, g, k=2 if h > 8 else None)
        fast = metrics.iou_curve(maps, gt, thresholds, components, chunk_pixels=int(torch.randint(1, 4000, (1,))))
        assert torch.equal(fast, slow_iou_curve(maps, gt, thresholds, components)), name


@pytest.mark.parametrize("seed", range(4))
def test_sweep_equals_slow_loop_on_random_maps(seed):
    g = torch.Generator().manual_seed(100 + seed)
    h, w = (int(v) for v in torch.randint(1, 40, (2,), generator=g))
    maps = bench_sweep.make_maps(3, max(h, w), seed)[0][:, :h, :w].contiguous()   # CAM-like, cropped
    maps = (maps - maps.amin()) / (maps.amax() - maps.amin() + 1e-9)
    gt = random_gt(3, h, w, g)
    thresholds = metrics.default_thresholds(0.04)
    for components in ("largest", "all"):
        fast = metrics.iou_curve(maps.double() if seed % 2 else maps, gt, thresholds, components)
        slow = slow_iou_curve(maps.double() if seed % 2 else maps, gt, thresholds, components)
        assert torch.equal(fast, slow)


def test_component_boxes_equal_scipy_label_and_find_objects():
    rng = np.random.default_rng(0)
    for shape in [(3, 1, 9), (2, 8, 1), (4, 10, 12), (1, 30, 25)]:
        masks = rng.random(shape) < 0.45
        masks[0] = False                                    # an empty mask among the others
        boxes, areas, owner = metrics.component_boxes(masks)
        structure = np.zeros((3, 3, 3), dtype=bool)
        structure[1] = True                                 # 8-connected within a mask, none across
        labels, n = ndi.label(masks, structure=structure)
        slices = ndi.find_objects(labels)
        expected = np.array([(s[2].start, s[1].start, s[2].stop, s[1].stop) for s in slices], np.float32)
        np.testing.assert_array_equal(boxes, expected.reshape(n, 4))
        np.testing.assert_array_equal(areas, np.bincount(labels.ravel(), minlength=n + 1)[1:])
        np.testing.assert_array_equal(owner, [s[0].start for s in slices])
        assert boxes.dtype == np.float32 and areas.dtype == np.int64 and owner.dtype == np.int64


def test_levels_equal_searchsorted_even_with_crowded_thresholds():
    g = torch.Generator().manual_seed(3)
    scores = torch.rand(2, 7, 7, generator=g).numpy()
    scores[0, 0, :4] = [0.0, 1.0, 0.5, 0.5000001]
    for taus in [np.array([0.5]), np.array([0.0, 0.5, 0.5000001, 0.5000002, 1.0]), np.linspace(0, 1, 1000)]:
        taus = taus.astype(np.float32)
        np.testing.assert_array_equal(metrics._levels(scores, taus), np.searchsorted(taus, scores, side="right"))


@pytest.mark.parametrize("components", ["largest", "all"])
def test_sweep_equals_the_opencv_loop(components):
    pytest.importorskip("cv2", reason="OpenCV is a benchmark-only dependency: pip install -r requirements-bench.txt")
    g = torch.Generator().manual_seed(5)
    cases = [bench_sweep.make_maps(4, 48, seed=1)] + [(maps, random_gt(len(maps), *maps.shape[1:], g))
                                                      for _, maps in tricky_maps(g)]
    thresholds = metrics.default_thresholds(0.05)
    for maps, gt in cases:
        ours = metrics.iou_curve(maps, gt, thresholds, components).numpy()
        theirs = bench_sweep.opencv_loop(maps.numpy(), gt.numpy().reshape(len(gt), -1, 4),
                                         thresholds.to(maps.dtype).numpy(), components)
        np.testing.assert_array_equal(ours, theirs)


def test_the_benchmark_checks_and_times_every_method():
    rows = bench_sweep.main(["--n", "3", "--size", "20", "--thresholds", "10", "--repeats", "1"])
    methods = {"wsl_lib", "scipy"} | ({"opencv"} if bench_sweep.cv2 is not None else set())
    assert {(r["task"], r["method"]) for r in rows} == {(t, m) for t in ("all", "largest") for m in methods}
    assert all(r["seconds"] > 0 for r in rows) and len({(r["task"], r["value"]) for r in rows}) == 2
