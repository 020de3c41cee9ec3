"""Localization sweep: wsl_lib's ``iou_curve`` against per-image, per-threshold loops with OpenCV and scipy.

    python benchmarks/bench_sweep.py                       # 1,000 maps 224x224, 100 thresholds, 5 repeats
    python benchmarks/bench_sweep.py --n 200 --repeats 3

The maps are CAM-like: random 7x7 grids upsampled bilinearly to ``size`` x ``size`` and
min-max normalized (fixed seed), one random ground-truth box each. Two tasks, each over
every map and every threshold ``0, 1/T, ..., (T-1)/T`` (``T = 100``: MaxBoxAcc's thresholds):

* ``all``: the box of every 8-connected component of ``map >= tau`` is a candidate
  (MaxBoxAccV2, IoU levels 0.3, 0.5, 0.7);
* ``largest``: the box of the component with the most pixels (MaxBoxAcc, IoU 0.5).

Methods, each giving the best IoU with the ground truth per image and threshold ``(N, T)``:

* ``wsl_lib``: ``wsl.metrics.iou_curve(maps, gt, thresholds, components=components)``, one call for all
  maps (every threshold at once, on run-length encoded rows).
* ``opencv``: the way the reference evaluation code does it, per image and threshold: the
  uint8 mask ``map >= tau``, ``cv2.findContours(mask, RETR_CCOMP, CHAIN_APPROX_SIMPLE)``,
  keeping the outer contours (parent -1: the border of every component, an island inside a
  hole included, never a hole's border), and ``cv2.boundingRect`` -> ``(x, y, x + w, y + h)``.
  For ``largest``, the contour of the component with the most pixels, counted on the labels
  of ``cv2.connectedComponents`` (8-connectivity). The reference code takes
  ``max(contours, key=cv2.contourArea)``, but ``contourArea`` is the area of the polygon
  through the border pixels' centres, 0 for a line one pixel wide, not a number of pixels,
  so it can pick another component. (``cv2.connectedComponentsWithStats`` would give the
  boxes too, but its statistics cost about 7 times its labelling in OpenCV 5.0, which would
  flatter wsl_lib.)
* ``scipy``: per image and threshold, ``scipy.ndimage.label`` (8-connectivity) and
  ``find_objects``, with a ``bincount`` of the labels for ``largest``.

Both loops collect one image's boxes over all thresholds and score them with one vectorized
IoU (wsl_lib's float32 arithmetic), so that they are timed for finding boxes, not for Python
IoU code. Ties for the largest component go to the component whose first pixel comes first
in raster order, in every method. Before the table, the three ``(N, T)`` IoU arrays are
checked identical, and so are the MaxBoxAccV2 and MaxBoxAcc computed from them (and equal
to ``wsl.metrics.max_box_accuracy_v2`` / ``max_box_accuracy``). The methods run round-robin,
so that a change in the machine's load hits them all alike; the table gives the median.
Every method runs on one thread (``--threads``): the loops are single-threaded, and so is
the bulk of wsl_lib's sweep (NumPy and scipy); torch only scores the boxes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.ndimage as ndi
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import wsl_lib as wsl  # noqa: E402

try:
    import cv2
except ImportError:                      # a benchmark-only dependency (requirements-bench.txt)
    cv2 = None

TASKS = {"all": (0.3, 0.5, 0.7), "largest": (0.5,)}     # components -> IoU levels of the metric
EIGHT = np.ones((3, 3), dtype=bool)


def make_maps(n: int, size: int, seed: int = 0):
    """``n`` CAM-like maps ``(n, size, size)`` float32 in [0, 1] and one ground-truth box each ``(n, 4)``."""
    g = torch.Generator().manual_seed(seed)
    grid = torch.rand(n, 1, 7, 7, generator=g)
    maps = torch.nn.functional.interpolate(grid, size=(size, size), mode="bilinear", align_corners=False)[:, 0]
    maps = wsl.cam.normalize(maps, "minmax")
    corner = torch.randint(0, max(1, size * 6 // 10), (n, 2), generator=g)
    extent = torch.randint(max(1, size // 5), max(2, size * 6 // 10), (n, 2), generator=g)
    gt = torch.cat([corner, (corner + extent).clamp(max=size)], 1).float()
    return maps, gt


def best_iou_np(boxes: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """IoU of each box ``(B, 4)`` with the best of ``gt`` ``(K, 4)``, float32, with wsl_lib's arithmetic: ``(B,)``."""
    top_left = np.maximum(boxes[:, None, :2], gt[None, :, :2])
    bottom_right = np.minimum(boxes[:, None, 2:], gt[None, :, 2:])
    size = np.clip(bottom_right - top_left, 0, None)
    inter = size[..., 0] * size[..., 1]
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    area_gt = (gt[:, 2] - gt[:, 0]) * (gt[:, 3] - gt[:, 1])
    union = area[:, None] + area_gt[None, :] - inter
    iou = np.where(union > 0, inter / np.maximum(union, np.float32(1e-12)), np.float32(0))
    return iou.max(1) if len(gt) else np.zeros(len(boxes), np.float32)


def _score(found: list, gt: np.ndarray, n_thresholds: int) -> np.ndarray:
    """Best IoU per threshold ``(T,)`` float32 from ``found``, a list of (threshold index, box (x1, y1, x2, y2))."""
    row = np.zeros(n_thresholds, dtype=np.float32)
    if found:
        index = np.array([j for j, _ in found])
        boxes = np.array([box for _, box in found], dtype=np.float32)
        np.maximum.at(row, index, best_iou_np(boxes, gt))
    return row


def opencv_loop(maps: np.ndarray, gt: np.ndarray, taus: np.ndarray, components: str) -> np.ndarray:
    """Per image and threshold, OpenCV's outer contours and their bounding rectangles: ``(N, T)``.

    For ``largest`` with several contours, each outer contour's component is the label (``cv2.connectedComponents``)
    at the contour's first point, the component's first pixel in raster order, where the
    border following starts; its size is a pixel count (``bincount`` of the labels), ties
    going to the first component in raster order.
    """
    out = np.zeros((len(maps), len(taus)), dtype=np.float32)
    for i, scores in enumerate(maps):
        found = []
        for j, tau in enumerate(taus):
            mask = (scores >= tau).astype(np.uint8)
            contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            # outer borders (parent -1): one per component, an island in a hole included
            outer = [c for c, (_, _, _, parent) in zip(contours, hierarchy[0] if len(contours) else ()) if parent == -1]
            if components == "largest" and len(outer) > 1:
                labels = cv2.connectedComponents(mask, connectivity=8)[1]
                areas = np.bincount(labels.ravel())
                x, y = np.array([c[0, 0] for c in outer]).T
                first = np.lexsort((x, y, -areas[labels[y, x]]))[0]     # most pixels, then raster order
                outer = [outer[first]]
            for contour in outer:
                x, y, w, h = cv2.boundingRect(contour)
                found.append((j, (x, y, x + w, y + h)))
        out[i] = _score(found, gt[i], len(taus))
    return out


def scipy_loop(maps: np.ndarray, gt: np.ndarray, taus: np.ndarray, components: str) -> np.ndarray:
    """Per image and threshold, ``scipy.ndimage.label`` and ``find_objects``: ``(N, T)``."""
    out = np.zeros((len(maps), len(taus)), dtype=np.float32)
    for i, scores in enumerate(maps):
        found = []
        for j, tau in enumerate(taus):
            labels, n = ndi.label(scores >= tau, structure=EIGHT)
            if n == 0:
                continue
            slices = ndi.find_objects(labels)
            if components == "largest":
                # scipy numbers components in raster order of their first pixel: argmax takes the first tie
                slices = [slices[int(np.bincount(labels.ravel())[1:].argmax())]]
            found.extend((j, (s[1].start, s[0].start, s[1].stop, s[0].stop)) for s in slices)
        out[i] = _score(found, gt[i], len(taus))
    return out


def methods(maps: torch.Tensor, gt: torch.Tensor, thresholds: torch.Tensor, components: str) -> dict:
    """``{name: run() -> (N, T) float32 array}`` for one task."""
    scores, boxes = maps.numpy(), gt.numpy().reshape(len(gt), -1, 4)
    taus = thresholds.to(maps.dtype).numpy()          # compare in the maps' precision, as wsl_lib does
    runs = {"wsl_lib": lambda: wsl.metrics.iou_curve(maps, gt, thresholds, components=components).numpy(),
            "scipy": lambda: scipy_loop(scores, boxes, taus, components)}
    if cv2 is not None:
        runs["opencv"] = lambda: opencv_loop(scores, boxes, taus, components)
    return runs


def metric(ious: np.ndarray, levels) -> float:
    """MaxBoxAcc over the IoU ``levels`` from an ``(N, T)`` IoU array (wsl_lib's definition)."""
    curve = (torch.from_numpy(ious)[:, :, None] >= torch.tensor(levels)).float().mean(0)
    return float(curve.max(0).values.mean())


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of maps (default: 1000)")
    parser.add_argument("--size", type=int, default=224, help="map side in pixels (default: 224)")
    parser.add_argument("--thresholds", type=int, default=100, help="number of thresholds (default: 100)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds; the median is reported (default: 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the maps and boxes (default: 0)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for torch and OpenCV (default: 1, as the loops are single-threaded)")
    args = parser.parse_args(argv)
    if min(args.n, args.size, args.thresholds, args.repeats, args.threads) < 1:
        parser.error("--n, --size, --thresholds, --repeats and --threads must be at least 1")
    threads = torch.get_num_threads(), cv2.getNumThreads() if cv2 is not None else None
    torch.set_num_threads(args.threads)
    if cv2 is not None:
        cv2.setNumThreads(args.threads)
    try:
        return _run(args)
    finally:
        torch.set_num_threads(threads[0])
        if cv2 is not None:
            cv2.setNumThreads(threads[1])


def _run(args) -> list:
    """Check and time every method on both tasks; print the table; return its rows."""
    maps, gt = make_maps(args.n, args.size, args.seed)
    thresholds = torch.arange(args.thresholds, dtype=torch.float64) / args.thresholds
    print(f"Localization sweep: {args.n} maps {args.size}x{args.size}, {args.thresholds} thresholds, CPU "
          f"({os.cpu_count()} cores, {args.threads} thread(s) for every method, load average "
          f"{os.getloadavg()[0]:.1f}), median of {args.repeats} rounds\n")
    rows, values = [], {}
    for components, levels in TASKS.items():
        runs = methods(maps, gt, thresholds, components)
        seconds = {name: [] for name in runs}
        results = {}
        for _ in range(args.repeats):
            for name, run in runs.items():
                start = time.perf_counter()
                results[name] = run()
                seconds[name].append(time.perf_counter() - start)
        # like for like: identical IoUs per image and threshold, identical metric values
        for name, ious in results.items():
            if not np.array_equal(ious, results["wsl_lib"]):
                raise SystemExit(f"{components}: {name}'s IoUs differ from wsl_lib's at "
                                 f"{int((ious != results['wsl_lib']).sum())} of {ious.size} (image, threshold) pairs")
        reference = (wsl.metrics.max_box_accuracy_v2(maps, gt, thresholds) if components == "all"
                     else wsl.metrics.max_box_accuracy(maps, gt, thresholds)).value
        values[components] = {name: metric(ious, levels) for name, ious in results.items()}
        if set(values[components].values()) != {reference}:
            raise SystemExit(f"{components}: metric values differ: {values[components]} vs wsl_lib's {reference}")
        ours = statistics.median(seconds["wsl_lib"])
        for name, s in seconds.items():
            median = statistics.median(s)
            rows.append({"task": components, "method": name, "seconds": median,
                         "ms_per_image": 1000 * median / args.n, "ratio": median / ours,
                         "value": values[components][name]})

    print("| task | method | s (median) | ms / image | time / wsl_lib's time |")
    print("| --- | --- | ---: | ---: | ---: |")
    for row in rows:
        task = "MaxBoxAccV2 (all components)" if row["task"] == "all" else "MaxBoxAcc (largest component)"
        print(f"| {task} | {row['method']} | {row['seconds']:.3f} | {row['ms_per_image']:.2f} | {row['ratio']:.2f}x |")
    print(f"\nIdentical IoUs for every image and threshold in every method; MaxBoxAccV2 = "
          f"{values['all']['wsl_lib']:.4f}, MaxBoxAcc = {values['largest']['wsl_lib']:.4f} in every method. "
          "A ratio above 1 is how many times longer the loop takes than wsl_lib.")
    return rows


if __name__ == "__main__":
    main()
