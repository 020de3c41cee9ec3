"""CAM extraction throughput: wsl_lib against TorchCAM's CAM, pytorch-grad-cam's GradCAM and the bare forward pass.

    python benchmarks/bench_cam.py                  # batch 64, inputs 224x224 and 64x64, 5 repeats
    python benchmarks/bench_cam.py --sizes 64 --repeats 9

The same torchvision ResNet-18 (random weights, fixed seed, eval mode) and the same batch
for every method; each method gets its own copy of the model, so that one library's hooks
never slow another down. Every method returns one map per image, for the top-1 class,
upsampled to the input size and min-max normalized:

* ``forward``: the bare forward pass, no map at all: the ceiling.
* ``wsl_lib``: ``wsl.cam.compute_cams(..., classes="predicted", size="input", normalization="minmax")``.
* ``torchcam``: TorchCAM's ``CAM`` (hooks on ``layer4``, weights of ``fc``), unnormalized maps,
  then the same upsampling and normalization as wsl_lib, so that the maps can be compared.
* ``gradcam``: pytorch-grad-cam's ``GradCAM`` (it has no plain CAM): a forward *and* a
  backward pass, resizing and normalizing per image in NumPy/OpenCV.

The methods run round-robin (one repeat of each in turn), so a change in the machine's load
hits them all alike; the table gives the median over the repeats. Before timing, wsl_lib's
maps are checked equal to TorchCAM's (like for like), and the check's largest difference is
printed.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

import torch
import torchvision

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import wsl_lib as wsl  # noqa: E402

TOLERANCE = 1e-4          # largest allowed |wsl_lib - TorchCAM| on maps normalized to [0, 1]


def make_model_and_batch(size: int, batch: int, seed: int = 0):
    """A ResNet-18 with random weights (eval mode) and a batch ``(batch, 3, size, size)`` of random images."""
    torch.manual_seed(seed)
    model = torchvision.models.resnet18(weights=None).eval()
    images = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(seed))
    return model, images


def _finish(maps: torch.Tensor, size) -> torch.Tensor:
    """The post-processing every CAM method shares: upsample ``(N, h, w)`` to ``size`` and min-max normalize."""
    return wsl.cam.normalize(wsl.cam.upsample(maps, size), "minmax")


def methods(model):
    """``{name: (run(images) -> maps (N, H, W), close())}``, each on its own copy of ``model``."""
    from pytorch_grad_cam import GradCAM
    from torchcam.methods import CAM

    bare = copy.deepcopy(model)
    ours = wsl.models.ResNetCAM(copy.deepcopy(model))
    theirs = copy.deepcopy(model)
    extractor = CAM(theirs, target_layer="layer4", fc_layer="fc")
    graded = copy.deepcopy(model)
    grad_cam = GradCAM(model=graded, target_layers=[graded.layer4[-1]])

    def forward(images):
        with torch.no_grad():
            return bare(images)

    def wsl_lib(images):
        return wsl.cam.compute_cams(ours, images, classes="predicted", size="input", normalization="minmax")[1]

    def torchcam(images):
        with torch.no_grad():
            scores = theirs(images)
        maps = extractor(scores.argmax(1).tolist(), scores, normalized=False)[0]
        return _finish(maps, images.shape[-2:])

    def gradcam(images):
        return torch.from_numpy(grad_cam(input_tensor=images, targets=None))

    def close():
        extractor.remove_hooks()
        grad_cam.activations_and_grads.release()

    return {"forward": forward, "wsl_lib": wsl_lib, "torchcam": torchcam, "gradcam": gradcam}, close


def max_difference_to_torchcam(model, images) -> float:
    """Largest ``|wsl_lib - TorchCAM|`` over the batch, both upsampled and min-max normalized alike."""
    runs, close = methods(model)
    try:
        return float((runs["wsl_lib"](images) - runs["torchcam"](images)).abs().max())
    finally:
        close()


def time_methods(model, images, repeats: int) -> dict:
    """Median seconds per batch of each method; one warm-up call each, then ``repeats`` rounds."""
    runs, close = methods(model)
    seconds = {name: [] for name in runs}
    try:
        for run in runs.values():
            run(images)
        for _ in range(repeats):
            for name, run in runs.items():
                start = time.perf_counter()
                run(images)
                seconds[name].append(time.perf_counter() - start)
    finally:
        close()
    return {name: statistics.median(s) for name, s in seconds.items()}


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[224, 64], help="input sizes (default: 224 64)")
    parser.add_argument("--batch", type=int, default=64, help="images per batch (default: 64)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds; the median is reported (default: 5)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.batch < 1:
        parser.error("--repeats and --batch must be at least 1")

    rows = []
    print(f"CAM extraction, ResNet-18 (random weights), batch {args.batch}, CPU, {torch.get_num_threads()} threads, "
          f"median of {args.repeats} rounds; maps upsampled to the input and min-max normalized\n")
    print("| input | method | s / batch | images / s | wsl_lib's speed-up over it |")
    print("| --- | --- | ---: | ---: | ---: |")
    for size in args.sizes:
        model, images = make_model_and_batch(size, args.batch)
        difference = max_difference_to_torchcam(model, images)
        if not difference <= TOLERANCE:
            raise SystemExit(f"wsl_lib's maps differ from TorchCAM's by {difference:.2e} > {TOLERANCE:g} at {size}x{size}")
        medians = time_methods(model, images, args.repeats)
        for name, seconds in medians.items():
            row = {"size": size, "method": name, "seconds": seconds, "images_per_s": args.batch / seconds,
                   "speedup": seconds / medians["wsl_lib"], "max_diff_to_torchcam": difference}
            rows.append(row)
            print(f"| {size}x{size} | {name} | {seconds:.3f} | {row['images_per_s']:.0f} | {row['speedup']:.2f}x |")
    print(f"\nwsl_lib's maps equal TorchCAM's within {TOLERANCE:g} at every size (largest difference: "
          f"{max(r['max_diff_to_torchcam'] for r in rows):.1e}). A speed-up below 1 against 'forward' is the "
          "cost of the maps: 0.90x or more is the target.")
    return rows


if __name__ == "__main__":
    main()
