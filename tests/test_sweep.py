"""The fast sweep (wsl_lib.metrics.iou_curve) equals the definition (metrics.iou_curve_plain).

wsl_lib finds the components of every threshold at once, on run-length encoded rows
(wsl_lib._sweep); here it is checked, value for value, against ``iou_curve_plain`` (one scipy
label per map and threshold), the one oracle of every test, on maps chosen to break it: random
sizes, 1-pixel-wide maps, constant and all-zero maps, holes with islands inside, single-pixel
components, ties for the largest component; and against the benchmark's OpenCV loop when
OpenCV is installed. ``convention="wsolevaluation"`` is checked against a port of the
reference code's evaluation.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from wsl_lib import metrics
from wsl_lib import _sweep

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench_sweep  # noqa: E402


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
        chunk = int(torch.randint(1, 4000, (1,), generator=g))
        fast = _sweep.sweep_ious(maps, gt.reshape(n, -1, 4), thresholds, components, chunk_pixels=chunk)
        assert torch.equal(fast, metrics.iou_curve(maps, gt, thresholds, components=components)), name
        assert torch.equal(fast, metrics.iou_curve_plain(maps, gt, thresholds, components=components)), name


@pytest.mark.parametrize("seed", range(4))
def test_sweep_equals_slow_loop_on_random_maps(seed):
    g = torch.Generator().manual_seed(100 + seed)
    h, w = (int(v) for v in torch.randint(1, 40, (2,), generator=g))
    maps = bench_sweep.make_maps(3, max(h, w), seed)[0][:, :h, :w].contiguous()   # CAM-like, cropped
    maps = (maps - maps.amin()) / (maps.amax() - maps.amin() + 1e-9)
    gt = random_gt(3, h, w, g)
    thresholds = metrics.default_thresholds(0.04)
    for components in ("largest", "all"):
        fast = metrics.iou_curve(maps.double() if seed % 2 else maps, gt, thresholds, components=components)
        slow = metrics.iou_curve_plain(maps.double() if seed % 2 else maps, gt, thresholds, components=components)
        assert torch.equal(fast, slow)


@pytest.mark.parametrize("components", ["largest", "all"])
def test_sweep_equals_the_opencv_loop(components):
    pytest.importorskip("cv2", reason="OpenCV is a benchmark-only dependency: pip install -r requirements-bench.txt")
    g = torch.Generator().manual_seed(5)
    cases = [bench_sweep.make_maps(4, 48, seed=1)] + [(maps, random_gt(len(maps), *maps.shape[1:], g))
                                                      for _, maps in tricky_maps(g)]
    thresholds = metrics.default_thresholds(0.05)
    for maps, gt in cases:
        ours = metrics.iou_curve(maps, gt, thresholds, components=components).numpy()
        theirs = bench_sweep.opencv_loop(maps.numpy(), gt.numpy().reshape(len(gt), -1, 4),
                                         thresholds.to(maps.dtype).numpy(), components)
        np.testing.assert_array_equal(ours, theirs)


def test_the_benchmark_checks_and_times_every_method():
    rows = bench_sweep.main(["--n", "3", "--size", "20", "--thresholds", "10", "--repeats", "1"])
    methods = {"wsl_lib", "scipy"} | ({"opencv"} if bench_sweep.cv2 is not None else set())
    assert {(r["task"], r["method"]) for r in rows} == {(t, m) for t in ("all", "largest") for m in methods}
    assert all(r["seconds"] > 0 for r in rows) and len({(r["task"], r["value"]) for r in rows}) == 2


# --------------------------------------------------------------------------- the reference code's convention

def reference_box_accuracy(maps, gt, thresholds, multi_contour, iou_levels):
    """A port of clovaai/wsolevaluation's BoxEvaluator (evaluation.py): MaxBoxAcc per IoU level, in percent.

    Per map: uint8 scores, cv2.threshold(..., int(tau * max), 255, THRESH_BINARY) (strictly
    above), contours with RETR_TREE, the largest by cv2.contourArea unless multi-contour, boxes
    (x, y, x + w, y + h) clipped to (W - 1, H - 1), IoU with +1 on both sides.
    """
    import cv2

    counts = {d: np.zeros(len(thresholds)) for d in iou_levels}
    for scores, boxes_gt in zip(maps, gt):
        h, w = scores.shape
        image = np.expand_dims((scores * 255).astype(np.uint8), 2)
        best = []
        for tau in thresholds:
            _, region = cv2.threshold(image, int(tau * np.max(image)), 255, cv2.THRESH_BINARY)
            contours = cv2.findContours(region, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)[0]
            if not contours:
                found = [[0, 0, 0, 0]]
            else:
                if not multi_contour:
                    contours = [max(contours, key=cv2.contourArea)]
                found = []
                for c in contours:
                    x, y, bw, bh = cv2.boundingRect(c)
                    found.append([x, y, min(x + bw, w - 1), min(y + bh, h - 1)])
            ious = []
            for box in found:
                for g in boxes_gt:
                    ix = max(0, min(box[2], g[2]) - max(box[0], g[0]) + 1)
                    iy = max(0, min(box[3], g[3]) - max(box[1], g[1]) + 1)
                    union = ((box[2] - box[0] + 1) * (box[3] - box[1] + 1) + (g[2] - g[0] + 1) * (g[3] - g[1] + 1)
                             - ix * iy)
                    ious.append(ix * iy / union if union > 0 else 0.0)
            best.append(max(ious))
        for d in iou_levels:
            counts[d][np.asarray(best) >= d] += 1
    return {d: float(counts[d].max() * 100 / len(maps)) for d in iou_levels}


@pytest.mark.parametrize("seed", range(3))
def test_the_wsolevaluation_convention_reproduces_the_reference_code(seed):
    pytest.importorskip("cv2", reason="OpenCV is needed for convention='wsolevaluation'")
    g = torch.Generator().manual_seed(seed)
    maps = bench_sweep.make_maps(12, 32, seed)[0].double()
    maps = (maps - maps.amin((1, 2), keepdim=True)) / (maps.amax((1, 2), keepdim=True) - maps.amin((1, 2), keepdim=True))
    maps[0] = (torch.rand(32, 32, generator=g) > 0.6).double()          # noise: holes, rings, lines
    gt = random_gt(12, 32, 32, g)
    thresholds = metrics.default_thresholds()
    for multi, levels in ((False, (0.5,)), (True, (0.3, 0.5, 0.7))):
        ours = metrics.max_box_accuracy(maps, gt, thresholds, iou_thresholds=levels,
                                        components="all" if multi else "largest", convention="wsolevaluation")
        theirs = reference_box_accuracy(maps.numpy(), gt.numpy()[:, None], thresholds.numpy(), multi, levels)
        for d in levels:
            assert ours.per_iou[d] * 100 == pytest.approx(theirs[d], abs=1e-4), (multi, d)     # float32 curve


def test_the_reference_code_reads_exclusive_corners_as_inclusive():
    maps = torch.zeros(3, 16, 16, dtype=torch.float64)
    maps[0, 3:13, 3:13] = 1.0                       # a 10 x 10 square ...
    maps[1, 3:13, 5:15] = 1.0                       # ... the same, 2 pixels to the right
    maps[2, 3:13, 6:16] = 1.0                       # ... touching the right border
    gt = torch.tensor([[3.0, 3.0, 13.0, 13.0], [3.0, 3.0, 13.0, 13.0], [6.0, 3.0, 16.0, 13.0]])
    exact = metrics.iou_curve(maps, gt, [0.5])[:, 0].tolist()
    reference = metrics.iou_curve(maps, gt, [0.5], convention="wsolevaluation")[:, 0].tolist()
    # both boxes one pixel too large (11 x 11): an exact match still scores 1, a shifted one more
    assert exact[:2] == [1.0, pytest.approx(80 / 120)] and reference[:2] == [1.0, pytest.approx(99 / 143)]
    # at the border the predicted box is clipped to W - 1 and the ground truth is not
    assert exact[2] == 1.0 and reference[2] == pytest.approx(110 / 121)
