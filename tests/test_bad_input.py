"""Bad input, everywhere: one table over every public function and class of wsl_lib.

Each row feeds one kind of wrong input (wrong type, wrong rank, mismatched batch sizes, an
out-of-range number, NaN or infinity, an empty tensor) and expects a ``TypeError`` or
``ValueError`` whose message names the argument. Inputs with a *documented defined result*
(an all-zero map, a constant map, an empty mask, a zero-area box) are in ``DEFINED``.
``test_every_public_function_is_covered`` fails when a public name of wsl_lib has no row, so
a new function cannot slip in untested; the number of rows is printed by
``test_report_the_count`` (``pytest -s``).
"""

from __future__ import annotations

import inspect
import os
import re

import numpy as np
import pytest
import torch

import wsl_lib as wsl
from wsl_lib import (augment, bags, baselines, boxes, cache, cam, claims, data, exercises, gradcam, localize, metrics,
                     mil, models, noise, probes, recipes, seeding, segment, train, viz)

NAN, INF = float("nan"), float("inf")
T = torch.tensor


def rand(*shape):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(0))


def with_value(x, value):
    x = x.clone()
    x.view(-1)[0] = value
    return x


def with_env(name, value, fn):
    """``fn()`` with the environment variable ``name`` set to ``value`` (restored afterwards)."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        return fn()
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


def some_boxes(n=2):
    return T([[1.0, 1.0, 3.0, 3.0]]).repeat(n, 1)


def dataset(**changes):
    fields = dict(images=rand(2, 3, 8, 8), labels=T([0, 1]), boxes=some_boxes(2), masks=torch.zeros(2, 8, 8, dtype=torch.bool),
                  object_classes=T([[0], [1]]), class_names=("a", "b"), name="toy", split="train")
    return data.WSLDataset(**{**fields, **changes})


_MODEL = {}


def model():
    if "m" not in _MODEL:
        _MODEL["m"] = models.SmallCNN(3, widths=(4, 8)).eval()
    return _MODEL["m"]


# "<argument>: expected ..." (the form of wsl_lib/_checks.py), or the batch-size form
MESSAGE_FORM = re.compile(r"^([\w\[\]., ]+: expected|mismatched batch sizes: expected)")

# (public name, call, expected error, words the message must contain, the argument's name and colon first)
BAD = [
    # data
    ("data.make_shapes", lambda: data.make_shapes(0), ValueError, "n: expected"),
    ("data.make_shapes", lambda: data.make_shapes(4.5), TypeError, "n: expected an int"),
    ("data.make_shapes", lambda: data.make_shapes(4, split="validation"), ValueError, "split: expected one of"),
    ("data.make_shapes", lambda: data.make_shapes(4, seed=-1), ValueError, "seed:"),
    ("data.make_shapes", lambda: data.make_shapes(4, image_size=16), ValueError, "image_size:"),
    ("data.make_shapes", lambda: data.make_shapes(4, n_objects=0), ValueError, "n_objects:"),
    ("data.make_shapes", lambda: data.make_shapes(4, spurious=1.5), ValueError, "spurious:"),
    ("data.make_shapes", lambda: data.make_shapes(4, spurious=NAN), ValueError, "spurious: expected a finite"),
    ("data.make_digits", lambda: data.make_digits(0), ValueError, "n: expected"),
    ("data.split_generator", lambda: data.split_generator(0, "dev", 1), ValueError, "split: expected one of"),
    ("data.split_generator", lambda: data.split_generator(-1, "train", 1), ValueError, "seed: expected"),
    ("seeding.fixed_permutation", lambda: seeding.fixed_permutation(-3), ValueError, "n: expected"),
    ("seeding.fixed_permutation", lambda: seeding.fixed_permutation(3, seed=1.5), TypeError, "seed: expected an int"),
    ("seeding.generator", lambda: seeding.generator(0, stream=-1), ValueError, "stream: expected"),
    ("boxes.mask_components", lambda: boxes.mask_components(torch.ones(4, 4, dtype=torch.bool)), ValueError,
     "mask: expected a NumPy array (H, W) of bool"),
    ("boxes.mask_components", lambda: boxes.mask_components(np.ones((4, 4))), ValueError, "mask: expected a NumPy array"),
    ("boxes.mask_components", lambda: boxes.mask_components(np.ones((2, 4, 4), dtype=bool)), ValueError, "mask: expected"),
    ("train.fit", lambda: train.fit(models.SmallCNN(3, widths=(4, 8), image_size=8), rand(4, 3, 8, 8), T([0, 1, 2, 0]),
                                    on_epoch="print"), TypeError, "on_epoch: expected None or a function"),
    ("data.make_digits", lambda: data.make_digits(4, image_size=32), ValueError, "image_size:"),
    ("data.make_digits", lambda: data.make_digits("4"), TypeError, "n: expected an int"),
    ("boxes.masks_to_boxes", lambda: boxes.masks_to_boxes(torch.ones(4, 4, dtype=torch.bool)), ValueError, "masks: expected a tensor with 3"),
    ("boxes.masks_to_boxes", lambda: boxes.masks_to_boxes(torch.ones(1, 4, 4)), TypeError, "masks: expected a bool tensor"),
    ("boxes.masks_to_boxes", lambda: boxes.masks_to_boxes([[0, 1]]), TypeError, "masks: expected a torch.Tensor"),
    ("probes.paint_out", lambda: probes.paint_out(rand(1, 3, 4, 4), torch.ones(1, 4, 4, dtype=torch.bool)), ValueError, "masks: expected some unmasked pixels in every image, got image 0"),
    ("probes.paint_out", lambda: probes.paint_out(rand(1, 3, 4, 4), torch.ones(1, 4, 5, dtype=torch.bool)), ValueError, "masks: expected shape (1, 4, 4)"),
    ("probes.paint_out", lambda: probes.paint_out(rand(1, 3, 4, 4), torch.ones(1, 4, 4)), TypeError, "masks: expected a bool"),
    ("probes.paint_out", lambda: probes.paint_out(rand(3, 4, 4), torch.ones(3, 4, dtype=torch.bool)), ValueError, "images: expected a tensor with 4"),
    ("data.WSLDataset", lambda: dataset(labels=T([0, 1, 2])), ValueError, "mismatched batch sizes"),
    ("data.WSLDataset", lambda: dataset(images=rand(2, 8, 8)), ValueError, "images: expected a tensor with 4"),
    ("data.WSLDataset", lambda: dataset(masks=torch.zeros(2, 8, 8)), TypeError, "masks: expected a bool"),
    ("data.WSLDataset", lambda: dataset(split="dev"), ValueError, "split: expected one of"),
    # models
    ("models.SmallCNN", lambda: models.SmallCNN(0), ValueError, "num_classes:"),
    ("models.SmallCNN", lambda: models.SmallCNN(3, head="avg"), ValueError, "head: expected one of"),
    ("models.SmallCNN", lambda: models.SmallCNN(3, widths=(8,)), ValueError, "widths:"),
    ("models.SmallCNN", lambda: models.SmallCNN(3, image_size=60), ValueError, "image_size:"),
    ("models.SmallCNN", lambda: model()(rand(3, 8, 8)), ValueError, "x: expected a tensor with 4"),
    ("models.BoxRegressor", lambda: models.BoxRegressor(image_size=4), ValueError, "image_size:"),
    ("models.BoxRegressor", lambda: models.BoxRegressor()(torch.ones(1, 3, 8, 8, dtype=torch.long)), TypeError, "x: expected a floating-point"),
    ("models.ResNetCAM", lambda: models.ResNetCAM(model()), TypeError, "resnet: expected a torchvision.models.ResNet"),
    ("models.resnet18_cam", lambda: models.resnet18_cam(0), ValueError, "num_classes:"),
    ("models.check_cam_ready", lambda: models.check_cam_ready("resnet"), TypeError, "model: expected a torch.nn.Module"),
    ("models.check_cam_ready", lambda: models.check_cam_ready(torch.nn.Linear(2, 2)), TypeError, "model: expected a model with a features"),
    ("models.check_cam_ready", lambda: models.check_cam_ready(models.SmallCNN(3, head="flatten")), ValueError, "model: expected a GAP or GMP head"),
    # train
    ("seeding.seed_everything", lambda: seeding.seed_everything(-1), ValueError, "seed:"),
    ("seeding.seed_everything", lambda: seeding.seed_everything(1.5), TypeError, "seed: expected an int"),
    ("seeding.run_seed", lambda: with_env("WSL_SEED", "-3", seeding.run_seed), ValueError,
     "WSL_SEED: expected a non-negative integer such as 0 or 3, got '-3'"),
    ("seeding.run_seed", lambda: with_env("WSL_SEED", "1.5", seeding.run_seed), ValueError, "WSL_SEED: expected"),
    ("seeding.run_seed", lambda: with_env("WSL_SEED", "seven", seeding.run_seed), ValueError, "WSL_SEED: expected a non-negative integer such as 0 or 3, got 'seven'"),
    ("seeding.shifted", lambda: seeding.shifted(-1), ValueError, "seed:"),
    ("seeding.shifted", lambda: seeding.shifted("0"), TypeError, "seed: expected"),
    ("seeding.shifted", lambda: with_env("WSL_SEED", "x", lambda: seeding.shifted(0)), ValueError, "WSL_SEED:"),
    ("seeding.generator", lambda: seeding.generator(-2), ValueError, "seed:"),
    ("seeding.generator", lambda: with_env("WSL_SEED", "2e3", lambda: seeding.generator(0)), ValueError, "WSL_SEED:"),
    ("train.default_loss", lambda: train.default_loss(rand(2, 3), T([0, 1, 2])), ValueError, "mismatched batch sizes"),
    ("train.default_loss", lambda: train.default_loss(rand(2, 3), T([0.0, 1.0])), ValueError, "targets: expected multi-hot targets"),
    ("train.default_loss", lambda: train.default_loss(T([[1, 2]]), T([0])), TypeError, "outputs: expected a floating-point"),
    ("train.box_loss", lambda: train.box_loss(rand(2, 4), rand(3, 4)), ValueError, "mismatched batch sizes"),
    ("train.box_loss", lambda: train.box_loss(rand(2, 3), rand(2, 3)), ValueError, "predicted: expected shape (*, 4)"),
    ("train.box_loss", lambda: train.box_loss(with_value(rand(2, 4), NAN), rand(2, 4)), ValueError, "predicted: expected finite"),
    ("train.fit", lambda: train.fit("model", rand(2, 3, 8, 8), T([0, 1])), TypeError, "model: expected a torch.nn.Module"),
    ("train.fit", lambda: train.fit(model(), rand(2, 3, 8, 8), T([0, 1, 1])), ValueError, "mismatched batch sizes"),
    ("train.fit", lambda: train.fit(model(), with_value(rand(2, 3, 8, 8), INF), T([0, 1])), ValueError, "inputs: expected finite"),
    ("train.fit", lambda: train.fit(model(), rand(2, 3, 8, 8), T([0, 1]), epochs=0), ValueError, "epochs:"),
    ("train.fit", lambda: train.fit(model(), rand(2, 3, 8, 8), T([0, 1]), lr=0.0), ValueError, "lr:"),
    ("train.fit", lambda: train.fit(model(), rand(0, 3, 8, 8), T([], dtype=torch.long)), ValueError, "inputs: expected a non-empty"),
    ("train.predict", lambda: train.predict(model(), rand(2, 3, 8, 8), batch_size=0), ValueError, "batch_size:"),
    ("train.predict", lambda: train.predict(None, rand(2, 3, 8, 8)), TypeError, "model:"),
    ("train.accuracy", lambda: train.accuracy(rand(2, 3), T([0, 1, 2])), ValueError, "mismatched batch sizes"),
    ("train.accuracy", lambda: train.accuracy(rand(3), T([0, 1, 2])), ValueError, "logits: expected a tensor with 2"),
    ("train.accuracy", lambda: train.accuracy(rand(2, 3), T([0.0, 1.0])), TypeError, "labels: expected an integer"),
    ("recipes.trained_classifier", lambda: recipes.trained_classifier("mnist"), ValueError, "dataset: expected one of"),
    ("recipes.trained_classifier", lambda: recipes.trained_classifier(augment="cutmix"), ValueError,
     "augment: expected None or one of 'hide_and_seek', got 'cutmix'"),
    # cache
    ("cache.cache_key", lambda: cache.cache_key(["a"]), TypeError, "config: expected a dict"),
    ("cache.load", lambda: cache.load("config", model()), TypeError, "config: expected a dict"),
    ("cache.save", lambda: cache.save(None, model()), TypeError, "config: expected a dict"),
    ("cache.cached_model", lambda: cache.cached_model(3, lambda: model(), lambda m: None), TypeError, "config: expected a dict"),
    # cam
    ("cam.class_activation_maps", lambda: cam.class_activation_maps(rand(2, 5, 4), rand(3, 5)), ValueError, "features: expected a tensor with 4"),
    ("cam.class_activation_maps", lambda: cam.class_activation_maps(rand(2, 5, 4, 4), rand(3, 4)), ValueError, "weight: expected shape"),
    ("cam.class_activation_maps", lambda: cam.class_activation_maps(torch.ones(2, 5, 4, 4, dtype=torch.long), rand(3, 5)), TypeError, "features: expected a floating-point"),
    ("cam.upsample", lambda: cam.upsample(rand(2, 4, 4), 8), ValueError, "size: expected"),
    ("cam.upsample", lambda: cam.upsample(rand(2, 4, 4), (8, 0)), ValueError, "size: expected"),
    ("cam.upsample", lambda: cam.upsample(rand(4, 4), (8, 8)), ValueError, "maps: expected a tensor with 3 or 4"),
    ("cam.upsample", lambda: cam.upsample(rand(0, 4, 4), (8, 8)), ValueError, "maps: expected a non-empty"),
    ("cam.normalize", lambda: cam.normalize(rand(2, 4, 4), "softmax"), ValueError, "method: expected one of"),
    ("cam.normalize", lambda: cam.normalize(with_value(rand(2, 4, 4), NAN)), ValueError, "maps: expected finite values, got a tensor containing NaN"),
    ("cam.normalize", lambda: cam.normalize(with_value(rand(2, 4, 4), -INF)), ValueError, "maps: expected finite values, got a tensor containing infinite"),
    ("cam.normalize", lambda: cam.normalize(rand(4)), ValueError, "maps: expected at least 2 dimensions"),
    ("cam.compute_cams", lambda: cam.compute_cams(model(), rand(3, 64, 64)), ValueError, "images: expected a tensor with 4"),
    ("cam.compute_cams", lambda: cam.compute_cams(model(), rand(2, 3, 64, 64), classes=T([0, 9])), ValueError, "classes: expected class indices"),
    ("cam.compute_cams", lambda: cam.compute_cams(model(), rand(2, 3, 64, 64), classes=T([0])), ValueError, "mismatched batch sizes"),
    ("cam.compute_cams", lambda: cam.compute_cams(model(), rand(2, 3, 64, 64), classes="top"), ValueError, "classes: expected one of"),
    ("cam.compute_cams", lambda: cam.compute_cams(model(), rand(2, 3, 64, 64), normalization="l2"), ValueError, "normalization:"),
    ("cam.compute_cams", lambda: cam.compute_cams(torch.nn.Linear(3, 3), rand(2, 3, 64, 64)), TypeError, "model:"),
    ("cam.cam_identity_gap", lambda: cam.cam_identity_gap(model(), rand(3, 64, 64)), ValueError, "images:"),
    ("cam.cam_identity_gap", lambda: cam.cam_identity_gap("model", rand(2, 3, 64, 64)), TypeError, "model:"),
    ("cam.class_activation_maps", lambda: cam.class_activation_maps(rand(2, 5, 4, 4), rand(5)), ValueError, "weight: expected a tensor with 2 dimensions"),
    ("cam.class_activation_maps", lambda: cam.class_activation_maps(rand(2, 5, 4, 4), torch.ones(3, 5, dtype=torch.long)), TypeError, "weight: expected a floating-point tensor"),
    ("cam.class_activation_maps", lambda: cam.class_activation_maps(rand(2, 5, 4, 4), rand(3, 4)), ValueError,
     "weight: expected shape (C, 5) to match the 5 feature channels, got shape (3, 4)"),
    ("cam.upsample", lambda: cam.upsample(torch.ones(2, 4, 4, dtype=torch.long), (8, 8)), TypeError, "maps: expected a floating-point tensor"),
    ("cam.normalize", lambda: cam.normalize(torch.ones(2, 4, 4, dtype=torch.long)), TypeError, "maps: expected a floating-point tensor"),
    ("gradcam.gradient_cams", lambda: gradcam.gradient_cams(model(), rand(2, 3, 16, 16), classes=T([[0], [1]])), ValueError, "classes: expected a tensor with 1 dimensions"),
    ("cam.compute_cams", lambda: cam.compute_cams(model(), torch.ones(2, 3, 16, 16, dtype=torch.long)), TypeError, "images: expected a floating-point tensor"),
    ("cam.compute_cams", lambda: cam.compute_cams(model(), rand(2, 3, 16, 16), classes=T([0, 5])), ValueError, "classes: expected class indices in [0, 2], got the value 5"),
    # localize
    ("localize.largest_component", lambda: localize.largest_component(rand(2, 4, 4)), TypeError, "masks: expected a bool"),
    ("localize.largest_component", lambda: localize.largest_component(torch.ones(4, 4, dtype=torch.bool)), ValueError, "masks: expected a tensor with 3"),
    ("localize.threshold_maps", lambda: localize.threshold_maps(rand(2, 4, 4), 1.0), ValueError, "fraction: expected a value in (0, 1)"),
    ("localize.threshold_maps", lambda: localize.threshold_maps(rand(2, 4, 4), NAN), ValueError, "fraction: expected a finite"),
    ("localize.threshold_maps", lambda: localize.threshold_maps(with_value(rand(2, 4, 4), NAN)), ValueError, "maps: expected finite"),
    ("localize.threshold_maps", lambda: localize.threshold_maps(torch.ones(2, 4, 4, dtype=torch.long)), TypeError, "maps: expected a floating-point tensor"),
    ("localize.boxes_from_maps", lambda: localize.boxes_from_maps(rand(4, 4)), ValueError, "maps: expected a tensor with 3"),
    ("localize.boxes_from_maps", lambda: localize.boxes_from_maps(rand(2, 4, 4), 0.0), ValueError, "fraction:"),
    ("localize.boxes_from_maps", lambda: localize.boxes_from_maps(rand(0, 4, 4)), ValueError, "maps: expected a non-empty"),
    ("boxes.paired_box_iou", lambda: boxes.paired_box_iou(some_boxes(2), some_boxes(3)), ValueError, "mismatched batch sizes"),
    ("boxes.paired_box_iou", lambda: boxes.paired_box_iou(T([[3.0, 3.0, 1.0, 1.0]]), some_boxes(1)), ValueError, "boxes_a: expected x2 >= x1"),
    ("boxes.paired_box_iou", lambda: boxes.paired_box_iou(some_boxes(1), with_value(some_boxes(1), NAN)), ValueError, "boxes_b: expected finite"),
    ("boxes.paired_box_iou", lambda: boxes.paired_box_iou(rand(2, 3), rand(2, 3)), ValueError, "boxes_a: expected boxes with last dimension 4"),
    ("boxes.best_iou", lambda: boxes.best_iou(some_boxes(2), some_boxes(3)), ValueError, "mismatched batch sizes"),
    ("boxes.best_iou", lambda: boxes.best_iou(some_boxes(2), rand(2, 1, 1, 4)), ValueError, "gt_boxes: expected a tensor with 2 or 3"),
    ("boxes.best_iou", lambda: boxes.best_iou(some_boxes(2), some_boxes(3)), ValueError,
     "mismatched batch sizes: expected the same number of items, got boxes has 2, gt_boxes has 3"),
    ("boxes.best_iou", lambda: boxes.best_iou(T([[3.0, 3.0, 1.0, 1.0]]), some_boxes(1)), ValueError, "boxes: expected x2 >= x1"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), iou_threshold=0.0), ValueError, "iou_threshold:"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2, 3), labels=T([0, 1]), k=4), ValueError, "k: expected at most"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(3, 3), labels=T([0, 1, 2]), k=1), ValueError, "mismatched batch sizes"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=None, labels=None, k=1), TypeError, "logits: expected a torch.Tensor"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), iou_threshold=1.5), ValueError, "iou_threshold: expected a value in (0, 1], got 1.5"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2, 3), labels=T([0.0, 1.0]), k=1), TypeError, "labels: expected an integer tensor"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2, 3), labels=T([[0], [1]]), k=1), ValueError, "labels: expected a tensor with 1 dimensions"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2, 3), labels=T([0, 1])), ValueError, "k: expected an int with logits and labels"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2, 3), labels=T([0, 1]), k=0), ValueError, "k: expected a value in [1, inf], got 0"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2, 3), labels=T([0, 1]), k=1.5), TypeError, "k: expected an int, got float 1.5"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2), labels=T([0, 1]), k=1), ValueError, "logits: expected a tensor with 2 dimensions"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=T([[1, 2], [3, 4]]), labels=T([0, 1]), k=1), TypeError, "logits: expected a floating-point tensor"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2, 3), labels=None, k=1), TypeError, "labels: expected a torch.Tensor, got NoneType"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(3, 3), labels=T([0, 1]), k=1), ValueError,
     "mismatched batch sizes: expected the same number of items, got boxes has 2, logits has 3, labels has 2"),
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2, 3), labels=T([0, 1, 2]), k=1), ValueError,
     "mismatched batch sizes: expected the same number of items, got boxes has 2, logits has 2, labels has 3"),
    # metrics
    ("metrics.default_thresholds", lambda: metrics.default_thresholds(0), ValueError, "step:"),
    ("metrics.default_thresholds", lambda: metrics.default_thresholds("0.1"), TypeError, "step: expected a number"),
    ("metrics.default_thresholds", lambda: metrics.default_thresholds(1.0), ValueError, "step: expected a value in (0, 1), got 1.0"),
    ("metrics.default_thresholds", lambda: metrics.default_thresholds(1.5), ValueError, "step: expected a value in (0, 1), got 1.5"),
            ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4) * 2, torch.zeros(2, 4)), ValueError, "maps: expected score maps normalized to [0, 1]"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(with_value(rand(2, 4, 4), NAN), torch.zeros(2, 4)), ValueError, "maps: expected finite"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4), torch.zeros(3, 4)), ValueError, "mismatched batch sizes"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4), torch.zeros(2, 4), [0.5, 0.2]), ValueError, "thresholds: expected strictly increasing"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4), torch.zeros(2, 4), [1.5]), ValueError, "thresholds: expected values in [0, 1]"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4), torch.zeros(2, 4), [NAN]), ValueError, "thresholds: expected finite"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4), torch.zeros(2, 4), components="some"), ValueError, "components:"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(0, 4, 4), torch.zeros(0, 4)), ValueError, "maps: expected a non-empty"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4), torch.zeros(2, 4), [[0.2, 0.5]]), ValueError, "thresholds: expected a tensor with 1 dimensions"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4), torch.zeros(2, 4), 0.5), ValueError, "thresholds: expected a tensor with 1 dimensions"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(torch.ones(2, 4, 4, dtype=torch.long), torch.zeros(2, 4)), TypeError, "maps: expected a floating-point tensor"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4), T([[3.0, 3.0, 1.0, 1.0]]).repeat(2, 1)), ValueError, "gt_boxes: expected x2 >= x1"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 4, 4), some_boxes(2).view(2, 1, 1, 4)), ValueError, "gt_boxes: expected a tensor with 2 or 3 dimensions"),
    ("metrics.box_accuracy", lambda: metrics.box_accuracy(rand(2, 4, 4), torch.zeros(2, 4), 2.0), ValueError, "threshold:"),
    ("metrics.box_accuracy", lambda: metrics.box_accuracy(rand(2, 4, 4), torch.zeros(2, 4), 0.5, iou_threshold=0), ValueError, "iou_threshold:"),
    ("metrics.box_accuracy", lambda: metrics.box_accuracy(rand(2, 4, 4), torch.zeros(2, 4), -0.5), ValueError, "threshold: expected a value in [0, 1], got -0.5"),
    ("metrics.box_accuracy", lambda: metrics.box_accuracy(rand(2, 4, 4), torch.zeros(2, 4), 0.5, iou_threshold=1.5), ValueError, "iou_threshold: expected a value in (0, 1], got 1.5"),
    ("metrics.max_box_accuracy", lambda: metrics.max_box_accuracy(rand(2, 4, 4), torch.zeros(2, 4), iou_thresholds=(0.0,)), ValueError, "iou_thresholds:"),
    ("metrics.max_box_accuracy", lambda: metrics.max_box_accuracy(rand(2, 4, 4), torch.zeros(2, 4), iou_thresholds=(NAN,)), ValueError, "iou_thresholds: expected finite"),
    ("metrics.max_box_accuracy_v2", lambda: metrics.max_box_accuracy_v2(rand(2, 4), torch.zeros(2, 4)), ValueError, "maps: expected a tensor with 3"),
    ("metrics.pixel_precision_recall", lambda: metrics.pixel_precision_recall(rand(2, 4, 4), torch.ones(2, 4, 4)), TypeError, "masks: expected a bool"),
    ("metrics.pixel_precision_recall", lambda: metrics.pixel_precision_recall(rand(2, 4, 4), torch.zeros(2, 4, 4, dtype=torch.bool)), ValueError, "masks: expected at least one foreground"),
    ("metrics.pixel_precision_recall", lambda: metrics.pixel_precision_recall(rand(1, 4, 4), torch.ones(4, 4, dtype=torch.bool)), ValueError, "masks: expected a tensor with 3 dimensions"),
    ("metrics.pixel_precision_recall", lambda: metrics.pixel_precision_recall(rand(1, 4, 4), torch.ones(1, 4, 4, dtype=torch.bool), ignore=torch.zeros(4, 4, dtype=torch.bool)), ValueError,
     "ignore: expected a tensor with 3 dimensions"),
    ("metrics.pixel_precision_recall", lambda: metrics.pixel_precision_recall(rand(1, 4, 4), torch.ones(1, 4, 4, dtype=torch.bool), ignore=torch.zeros(1, 4, 5, dtype=torch.bool)), ValueError,
     "ignore: expected the shape of maps (1, 4, 4), got (1, 4, 5)"),
    ("metrics.pixel_average_precision", lambda: metrics.pixel_average_precision(rand(2, 4, 4), torch.ones(2, 4, 5, dtype=torch.bool)), ValueError, "masks: expected the shape of maps"),
    ("metrics.pixel_average_precision", lambda: metrics.pixel_average_precision(with_value(rand(2, 4, 4), INF), torch.ones(2, 4, 4, dtype=torch.bool)), ValueError, "maps: expected finite"),
    # viz
    ("viz.to_uint8", lambda: viz.to_uint8(rand(4, 4)), ValueError, "image: expected a tensor with 3"),
    ("viz.to_uint8", lambda: viz.to_uint8(rand(2, 4, 4)), ValueError, "image: expected an image (3, H, W) or (1, H, W)"),
    ("viz.heatmap", lambda: viz.heatmap(rand(1, 4, 4)), ValueError, "cam: expected a tensor with 2"),
    ("viz.heatmap", lambda: viz.heatmap(with_value(rand(4, 4), NAN)), ValueError, "cam: expected finite"),
    ("viz.overlay", lambda: viz.overlay(rand(3, 8, 8), rand(4, 4), alpha=2.0), ValueError, "alpha:"),
    ("viz.overlay", lambda: viz.overlay(rand(3, 8, 8), "cam"), TypeError, "cam: expected a torch.Tensor"),
    ("viz.draw_boxes", lambda: viz.draw_boxes(rand(3, 8, 8), T([[3.0, 3.0, 1.0, 1.0]])), ValueError, "boxes: expected x2 >= x1"),
    ("viz.draw_boxes", lambda: viz.draw_boxes(rand(3, 8, 8), some_boxes(1), scale=0), ValueError, "scale:"),
    ("viz.draw_masks", lambda: viz.draw_masks(rand(3, 8, 8), torch.ones(8, 8)), TypeError, "masks: expected a bool"),
    ("viz.draw_masks", lambda: viz.draw_masks(rand(3, 8, 8), torch.ones(4, 4, dtype=torch.bool)), ValueError, "masks: expected masks of the image's size"),
    ("viz.show_images", lambda: viz.show_images([]), ValueError, "images: expected at least one image"),
    ("viz.show_images", lambda: viz.show_images([rand(3, 4, 4)], panel_inches=0), ValueError, "panel_inches: expected a value in (0, "),
    ("viz.show_images", lambda: viz.show_images([rand(3, 4, 4)], titles=["a", "b"]), ValueError, "titles: expected 1 titles"),
    ("viz.show_images", lambda: viz.show_images([rand(3, 4, 4)], ncols=0), ValueError, "ncols:"),
            # claims and exercises
    ("claims.claim", lambda: claims.claim(1, "one is true"), TypeError, "condition: expected a bool"),
    ("claims.claim", lambda: claims.claim(T([True, False]), "all true"), TypeError, "condition: expected a single bool"),
    ("claims.claim", lambda: claims.claim(True, ""), TypeError, "statement: expected a non-empty str"),
    ("claims.ClaimError", lambda: claims.claim(False, "two is one"), claims.ClaimError, "claim failed: two is one"),
    ("claims.claim", lambda: claims.claim(claims.above(float("nan"), 0.1), "x"), ValueError, "value: expected a finite number"),
    ("claims.claim", lambda: claims.claim(claims.below(0.1, T([1.0, 2.0])), "x"), ValueError, "bound: expected a finite number"),
    ("claims.above", lambda: claims.above(0.3, 0.1, unit="percent"), ValueError, "unit: expected one of"),
    ("claims.below", lambda: claims.below(0.3, 0.1, unit="%"), ValueError, "unit: expected one of"),
    ("claims.all_of", lambda: claims.all_of(), TypeError, "parts: expected one or more Bound"),
    ("claims.all_of", lambda: claims.all_of(claims.above(1, 0), True), TypeError, "parts: expected one or more Bound"),
    ("claims.check", lambda: claims.check(1, "one is true"), TypeError, "condition: expected a bool"),
    ("claims.check", lambda: claims.check(True, " "), TypeError, "statement: expected a non-empty str"),
    ("claims.check", lambda: with_env("WSL_CLAIMS", "report", lambda: claims.check(False, "1 == 2")),
     claims.ClaimError, "check failed: 1 == 2"),
    ("claims.mode", lambda: with_env("WSL_CLAIMS", "loose", claims.mode), ValueError,
     "WSL_CLAIMS: expected one of 'report', 'strict', got 'loose'"),
    ("claims.mode", lambda: with_env("WSL_CLAIMS", "loose", lambda: claims.claim(True, "x")), ValueError, "WSL_CLAIMS:"),
    ("exercises.expect_close", lambda: exercises.expect_close("x", NAN, 1.0), exercises.ExerciseError, "x: expected a finite number"),
    ("exercises.expect_close", lambda: exercises.expect_close("x", 2.0, 1.0), exercises.ExerciseError, "x: expected 1.0000, got 2.0000"),
    ("exercises.expect_tensor", lambda: exercises.expect_tensor("m", [1.0], T([1.0])), exercises.ExerciseError, "m: expected a torch.Tensor"),
    ("exercises.expect_tensor", lambda: exercises.expect_tensor("m", T([1.0, 2.0]), T([1.0])), exercises.ExerciseError, "m: expected shape"),
    ("exercises.ExerciseError", lambda: exercises.expect_tensor("m", T([1.0]), T([2.0])), exercises.ExerciseError, "m: differs from the reference"),
    ("exercises.passed", lambda: exercises.passed(3), TypeError, "what:"),
    ("exercises.grade_top1_localization", lambda: exercises.grade_top1_localization("0.5", boxes=some_boxes(1), gt_boxes=some_boxes(1), logits=rand(1, 3), labels=T([0])), exercises.ExerciseError, "expected a finite number"),
    # gradcam
    ("gradcam.capture_output", lambda: gradcam.capture_output("layer4").__enter__(), TypeError, "layer:"),
    ("gradcam.score_gradients", lambda: gradcam.score_gradients(model(), rand(3, 64, 64)), ValueError, "images:"),
    ("gradcam.score_gradients", lambda: gradcam.score_gradients(model(), rand(2, 3, 64, 64), classes=T([0])), ValueError, "mismatched batch sizes"),
    ("gradcam.score_gradients", lambda: gradcam.score_gradients("model", rand(2, 3, 16, 16)), TypeError, "model: expected a torch.nn.Module, got str"),
    ("gradcam.score_gradients", lambda: gradcam.score_gradients(model(), torch.ones(2, 3, 16, 16, dtype=torch.long)), TypeError, "images: expected a floating-point tensor"),
    ("gradcam.score_gradients", lambda: gradcam.score_gradients(model(), with_value(rand(2, 3, 16, 16), NAN)), ValueError, "images: expected finite values"),
    ("gradcam.score_gradients", lambda: gradcam.score_gradients(model(), rand(2, 3, 16, 16), classes=None), TypeError, "classes: expected a torch.Tensor, got NoneType"),
    ("gradcam.score_gradients", lambda: gradcam.score_gradients(model(), rand(2, 3, 16, 16), layer=torch.nn.Linear(2, 2)), ValueError,
     "layer: expected a module that runs once per forward pass and outputs (N, K, h, w) activations, got 0 outputs"),
    ("gradcam.combine", lambda: gradcam.combine(rand(2, 4, 3, 3), rand(2, 4, 3, 3), method="scorecam"), ValueError, "method:"),
    ("gradcam.combine", lambda: gradcam.combine(rand(2, 4, 3, 3), rand(2, 4, 3, 2)), ValueError, "gradients:"),
    ("gradcam.combine", lambda: gradcam.combine(with_value(rand(2, 4, 3, 3), NAN), rand(2, 4, 3, 3)), ValueError, "activations: expected finite"),
    ("gradcam.combine", lambda: gradcam.combine(rand(2, 4, 3), rand(2, 4, 3, 3)), ValueError, "activations: expected a tensor with 4 dimensions"),
    ("gradcam.combine", lambda: gradcam.combine(torch.ones(2, 4, 3, 3, dtype=torch.long), rand(2, 4, 3, 3)), TypeError, "activations: expected a floating-point tensor"),
    ("gradcam.combine", lambda: gradcam.combine(rand(2, 4, 3, 3), rand(2, 4, 3)), ValueError, "gradients: expected a tensor with 4 dimensions"),
    ("gradcam.combine", lambda: gradcam.combine(rand(2, 4, 3, 3), torch.ones(2, 4, 3, 3, dtype=torch.long)), TypeError, "gradients: expected a floating-point tensor"),
    ("gradcam.combine", lambda: gradcam.combine(rand(2, 4, 3, 3), with_value(rand(2, 4, 3, 3), NAN)), ValueError, "gradients: expected finite values"),
    ("gradcam.gradient_cams", lambda: gradcam.gradient_cams(model(), rand(2, 3, 64, 64), normalization="l1"), ValueError, "normalization:"),
    ("gradcam.gradient_cams", lambda: gradcam.gradient_cams(model(), rand(2, 3, 64, 64), batch_size=0), ValueError, "batch_size:"),
    ("gradcam.gradient_cams", lambda: gradcam.gradient_cams(model(), rand(2, 3, 16, 16), batch_size=2.5), TypeError, "batch_size: expected an int, got float 2.5"),
    ("gradcam.gradient_cams", lambda: gradcam.gradient_cams(model(), rand(2, 3, 16, 16), method="scorecam"), ValueError, "method: expected one of 'gradcam', 'gradcam++', 'layercam'"),
    ("gradcam.gradient_cams", lambda: gradcam.gradient_cams(model(), T(0.5)), ValueError, "images: expected a tensor with 4 dimensions"),
    ("gradcam.gradient_cams", lambda: gradcam.gradient_cams(model(), rand(2, 3, 16, 16), classes=None), TypeError, "classes: expected a torch.Tensor, got NoneType"),
    ("gradcam.grad_cam", lambda: gradcam.grad_cam("model", rand(2, 3, 64, 64)), TypeError, "model:"),
    ("gradcam.grad_cam_pp", lambda: gradcam.grad_cam_pp(model(), rand(2, 3, 64, 64), classes="top"), ValueError, "classes:"),
    ("gradcam.layer_cam", lambda: gradcam.layer_cam(model(), rand(2, 64, 64)), ValueError, "images:"),
    ("gradcam.gradcam_identity_gap", lambda: gradcam.gradcam_identity_gap(model(), rand(2, 3, 64, 64), T([0.0, 1.0])), TypeError, "classes:"),
    # augment
    ("augment.hide_patches", lambda: augment.hide_patches(rand(2, 3, 8, 8), 0, 0.5, 0.5, torch.Generator()), ValueError, "grid:"),
    ("augment.hide_patches", lambda: augment.hide_patches(rand(2, 3, 8, 8), 4, 1.5, 0.5, torch.Generator()), ValueError, "p:"),
    ("augment.hide_patches", lambda: augment.hide_patches(rand(3, 8, 8), 4, 0.5, 0.5, torch.Generator()), ValueError, "x:"),
    ("augment.hide_and_seek", lambda: augment.hide_and_seek(grid=0), ValueError, "grid:"),
    ("augment.hide_and_seek", lambda: augment.hide_and_seek(p=NAN), ValueError, "p: expected a finite"),
    # segment
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[[0, 1]]]), T([[[0, 1, 1]]]), 2), ValueError, "predicted: expected the shape of target"),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[[0, 5]]]), T([[[0, 1]]]), 2), ValueError, "predicted:"),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(rand(1, 1, 2), T([[[0, 1]]]), 2), TypeError, "predicted:"),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[[0, 1]]]), T([[[0, 1]]]), 0), ValueError, "num_classes:"),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[[0, 5]]]), T([[[0, 1]]]), 2), ValueError, "predicted: expected class indices in [0, 1] or 255 (ignored), got the value 5"),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[0, 1]]), T([[[0, 1]]]), 2), ValueError, "predicted: expected a tensor with 3 dimensions"),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[[0, 1]]]), T([[[0.0, 1.0]]]), 2), TypeError, "target: expected an integer tensor"),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[[0, 1]]]), T([[[0, 1]]]), 2, ignore_index=2.5), TypeError, "ignore_index: expected an int, got float 2.5"),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[[0, 1]]]), T([[[0, 1]]]), 3, ignore_index=1), ValueError, "ignore_index: expected a value that is not a label in [0, 2], got 1"),
    ("metrics.iou_per_class", lambda: metrics.iou_per_class(T([[1, 2, 3]])), ValueError, "confusion:"),
    ("metrics.iou_per_class", lambda: metrics.iou_per_class(T([1, 2])), ValueError, "confusion: expected a tensor with 2 dimensions"),
    ("metrics.iou_per_class", lambda: metrics.iou_per_class(T([[1.0, 0.0], [0.0, 3.0]])), TypeError, "confusion: expected an integer tensor"),
    ("metrics.iou_per_class", lambda: metrics.iou_per_class(T([[1, 0], [0, 3]]), T([1.0, 2.0])), TypeError, "missed: expected an integer tensor"),
    ("metrics.iou_per_class", lambda: metrics.iou_per_class(T([[1, 0], [0, 3]]), T([1, -1])), ValueError, "missed: expected pixel counts >= 0, got a negative entry"),
    ("metrics.mean_iou", lambda: metrics.mean_iou(T([[[0, 1]]]), T([[[0, 1]]]), 1.5), TypeError, "num_classes:"),
    ("segment.cam_label_scores", lambda: segment.cam_label_scores(rand(2, 3, 8, 8), T([0, 1, 2])), ValueError, "mismatched batch sizes"),
    ("segment.cam_label_scores", lambda: segment.cam_label_scores(rand(2, 3, 8, 8), T([0, 1]), background=1.5), ValueError, "background:"),
    ("segment.cam_label_scores", lambda: segment.cam_label_scores(with_value(rand(2, 3, 8, 8), NAN), T([0, 1]), background=0.5), ValueError, "cams: expected finite"),
    ("segment.cam_pseudo_masks", lambda: segment.cam_pseudo_masks(rand(2, 3, 8, 8), T([0, 1])), ValueError, "background, alpha: expected exactly one"),
    ("segment.pairwise_affinities", lambda: segment.pairwise_affinities(rand(2, 3, 8, 8), radius=0), ValueError, "radius:"),
    ("segment.pairwise_affinities", lambda: segment.pairwise_affinities(rand(3, 8, 8)), ValueError, "images:"),
    ("segment.mean_field_refine", lambda: segment.mean_field_refine(rand(2, 3, 8, 8), rand(3, 4, 8, 8)), ValueError, "mismatched batch sizes"),
    ("segment.mean_field_refine", lambda: segment.mean_field_refine(rand(2, 3, 8, 8), rand(2, 4, 8, 8), iterations=-1), ValueError, "iterations:"),
    ("segment.box_pseudo_masks", lambda: segment.box_pseudo_masks(some_boxes(2), T([0, 1]), (8, 8), band=1.5), ValueError, "band:"),
    ("segment.box_pseudo_masks", lambda: segment.box_pseudo_masks(some_boxes(2), T([0]), (8, 8)), ValueError, "classes: expected one class per box"),
    ("segment.box_colour_masks", lambda: segment.box_colour_masks(rand(2, 3, 8, 8), some_boxes(2), T([0, 1]), tolerance=-1.0), ValueError, "tolerance:"),
    ("segment.box_colour_masks", lambda: segment.box_colour_masks(rand(2, 3, 8, 8), with_value(some_boxes(2), INF), T([0, 1])), ValueError, "boxes: expected finite"),
    ("models.SmallSegmenter", lambda: models.SmallSegmenter(0), ValueError, "num_labels:"),
    ("segment.segmentation_loss", lambda: segment.segmentation_loss(rand(2, 3, 8, 8), T([0, 1])), ValueError, "targets: expected a tensor with 3"),
    ("segment.train_segmenter", lambda: segment.train_segmenter(rand(2, 3, 8, 8), T([0, 1]), 3), ValueError, "label_maps:"),
    ("segment.train_segmenter", lambda: segment.train_segmenter(rand(2, 3, 8, 8), torch.zeros(2, 8, 8, dtype=torch.long), 3, epochs=0), ValueError, "epochs:"),
    ("segment.predict_masks", lambda: segment.predict_masks(model(), rand(2, 3, 8, 8), batch_size=0), ValueError, "batch_size:"),
    ("viz.colourize", lambda: viz.colourize(rand(2, 8, 8)), TypeError, "maps:"),
    # localize (chapters 1 and 4)
    ("localize.candidate_boxes", lambda: localize.candidate_boxes(rand(2, 8, 8), fractions=()), ValueError, "fractions:"),
    ("localize.candidate_boxes", lambda: localize.candidate_boxes(rand(2, 8, 8), fractions=(1.5,)), ValueError, "fractions:"),
    ("localize.candidate_boxes", lambda: localize.candidate_boxes(with_value(rand(2, 8, 8), NAN)), ValueError, "maps: expected finite"),
    ("localize.candidate_boxes", lambda: localize.candidate_boxes(rand(2, 8, 8), fractions=(-0.5,)), ValueError, "fractions: expected a value in (0, 1), got -0.5"),
    ("localize.candidate_boxes", lambda: localize.candidate_boxes(rand(2, 8, 8), fractions=(0.0,)), ValueError, "fractions: expected a value in (0, 1), got 0.0"),
    ("localize.candidate_boxes", lambda: localize.candidate_boxes(rand(2, 8, 8), fractions=(1.0,)), ValueError, "fractions: expected a value in (0, 1), got 1.0"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(3, 4), labels=T([0, 1, 2])), ValueError, "mismatched batch sizes"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(2, 4), labels=T([0, 1]), inside=2.0), ValueError, "inside: expected a value in (0, 1], got 2.0"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(2, 4), labels=T([0, 1]), inside=0.0), ValueError,
     "inside: expected a value in (0, 1], got 0.0"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(2, 4), labels=T([0, 1]), iou_threshold=1.5), ValueError,
     "iou_threshold: expected a value in (0, 1], got 1.5"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(T([[3.0, 3.0, 1.0, 1.0]]).repeat(2, 1), some_boxes(2), logits=rand(2, 4), labels=T([0, 1])), ValueError, "boxes: expected x2 >= x1"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), T([[3.0, 3.0, 1.0, 1.0]]).repeat(2, 1), logits=rand(2, 4), labels=T([0, 1])), ValueError, "gt_boxes: expected x2 >= x1"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(2), labels=T([0, 1])), ValueError, "logits: expected a tensor with 2 dimensions"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=T([[1, 2], [3, 4]]), labels=T([0, 1])), TypeError, "logits: expected a floating-point tensor"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(2, 4), labels=T([[0], [1]])), ValueError, "labels: expected a tensor with 1 dimensions"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(3), some_boxes(2), logits=rand(2, 4), labels=T([0, 1])), ValueError,
     "mismatched batch sizes: expected the same number of items, got boxes has 3, gt_boxes has 2, logits has 2, labels has 2"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(3), logits=rand(2, 4), labels=T([0, 1])), ValueError,
     "mismatched batch sizes: expected the same number of items, got boxes has 2, gt_boxes has 3, logits has 2, labels has 2"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(3, 4), labels=T([0, 1])), ValueError,
     "mismatched batch sizes: expected the same number of items, got boxes has 2, gt_boxes has 2, logits has 3, labels has 2"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(2, 4), labels=T([0, 1, 2])), ValueError,
     "mismatched batch sizes: expected the same number of items, got boxes has 2, gt_boxes has 2, logits has 2, labels has 3"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(2, 4), labels=T([0, 1]), predicted_boxes=some_boxes(3)), ValueError,
     "mismatched batch sizes: expected the same number of items, got boxes has 2, predicted_boxes has 3"),
    ("localize.failure_kinds", lambda: localize.failure_kinds(some_boxes(2), some_boxes(2), logits=rand(2, 4), labels=T([0, 1]), iou_threshold=0.0), ValueError,
     "iou_threshold: expected a value in (0, 1], got 0.0"),
    ("baselines.centred_boxes", lambda: baselines.centred_boxes(some_boxes(2), 0, 8), ValueError, "n:"),
    ("baselines.centred_boxes", lambda: baselines.centred_boxes(rand(2, 3), 2, 8), ValueError, "reference_boxes:"),
    ("localize.choose_fraction", lambda: localize.choose_fraction(rand(2, 8, 8), some_boxes(3), [0.2]), ValueError, "mismatched batch sizes"),
    ("localize.choose_fraction", lambda: localize.choose_fraction(rand(2, 8, 8), some_boxes(2), []), ValueError, "fractions:"),
    ("localize.choose_fraction", lambda: localize.choose_fraction(rand(2, 8, 8), some_boxes(2), [-0.5]), ValueError, "fractions: expected a value in (0, 1), got -0.5"),
    ("localize.choose_fraction", lambda: localize.choose_fraction(rand(2, 8, 8), some_boxes(2), [0.0]), ValueError, "fractions: expected a value in (0, 1), got 0.0"),
    ("localize.choose_fraction", lambda: localize.choose_fraction(rand(2, 8, 8), some_boxes(2), [1.0]), ValueError, "fractions: expected a value in (0, 1), got 1.0"),
    ("localize.choose_fraction", lambda: localize.choose_fraction(rand(2, 8, 8), some_boxes(2), [1.5]), ValueError, "fractions: expected a value in (0, 1), got 1.5"),
    # metrics (chapter 6)
    ("baselines.centre_gaussian_maps", lambda: baselines.centre_gaussian_maps(0, (8, 8)), ValueError, "n:"),
    ("baselines.centre_gaussian_maps", lambda: baselines.centre_gaussian_maps(2, (8, 8), sigma=-1.0), ValueError, "sigma:"),
    ("boxes.boxes_to_masks", lambda: boxes.boxes_to_masks(rand(2, 3), (8, 8)), ValueError, "boxes:"),
    ("boxes.boxes_to_masks", lambda: boxes.boxes_to_masks(some_boxes(2), 8), ValueError, "size:"),
    ("boxes.box_coverage", lambda: boxes.box_coverage(some_boxes(2), some_boxes(3)), ValueError, "mismatched batch sizes"),
    ("boxes.part_boxes", lambda: boxes.part_boxes(some_boxes(2), some_boxes(2), inside=0.0), ValueError, "inside: expected a value in (0, 1]"),
    ("boxes.part_boxes", lambda: boxes.part_boxes(some_boxes(2), some_boxes(2), iou_threshold=2.0), ValueError, "iou_threshold: expected a value in (0, 1]"),
    ("metrics.wsol_scores", lambda: metrics.wsol_scores(rand(2, 8, 8), some_boxes(2), torch.ones(2, 8, 8)), TypeError, "masks: expected a bool"),
    # issue 17: silent results that are now errors, and the functions of the reshaped modules
    ("localize.localization_accuracy", lambda: localize.localization_accuracy(some_boxes(2), some_boxes(2), logits=rand(2, 3), labels=T([0, 3]), k=1), ValueError, "labels: expected class indices in [0, 2]"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 8, 8), T([[0.0, 0, 9, 4]]).repeat(2, 1)), ValueError, "gt_boxes: expected boxes inside the 8 x 8 image"),
    ("metrics.iou_curve", lambda: metrics.iou_curve(rand(2, 8, 8), some_boxes(2), convention="opencv"), ValueError, "convention: expected one of"),
    ("metrics.iou_curve_plain", lambda: metrics.iou_curve_plain(rand(2, 8, 8), some_boxes(3)), ValueError, "mismatched batch sizes"),
    ("metrics.iou_curve_plain", lambda: metrics.iou_curve_plain(rand(2, 8, 8) * 2, some_boxes(2)), ValueError, "maps: expected score maps normalized"),
    ("metrics.iou_curve_plain", lambda: metrics.iou_curve_plain(rand(2, 8, 8), some_boxes(2), components="some"), ValueError, "components: expected one of"),
    ("metrics.iou_per_class", lambda: metrics.iou_per_class(T([[1, -2], [0, 3]])), ValueError, "confusion: expected pixel counts >= 0"),
    ("metrics.iou_per_class", lambda: metrics.iou_per_class(T([[1, 0], [0, 3]]), T([1, 2, 3])), ValueError, "missed: expected shape (2)"),
    ("metrics.mean_iou", lambda: metrics.mean_iou(T([[[0, 1]]]), T([[[0, 1]]]), 300), ValueError, "ignore_index: expected a value that is not a label"),
    ("metrics.mean_iou", lambda: metrics.mean_iou(T([[[0, 1]]]), T([[[0, 1]]]), 2, unlabelled="ignore"), ValueError, "unlabelled: expected one of"),
    ("metrics.pixel_precision_recall", lambda: metrics.pixel_precision_recall(rand(1, 4, 4), torch.ones(1, 4, 4, dtype=torch.bool), ignore=torch.ones(1, 4, 4)), TypeError, "ignore: expected a bool tensor"),
    ("metrics.pixel_average_precision", lambda: metrics.pixel_average_precision(rand(1, 4, 4), torch.ones(1, 4, 4, dtype=torch.bool), ignore=torch.ones(1, 4, 4, dtype=torch.bool)), ValueError, "masks: expected at least one foreground pixel that is not ignored"),
    ("cam.compute_cams", lambda: cam.compute_cams(model(), rand(2, 3, 16, 16).double()), TypeError, "images: expected torch.float32 images"),
    ("gradcam.score_gradients", lambda: gradcam.score_gradients(model(), rand(2, 3, 16, 16).double()), TypeError, "images: expected torch.float32 images"),
    ("boxes.boxes_to_masks", lambda: boxes.boxes_to_masks(some_boxes(2), (8, 0)), ValueError, "size: expected (height, width) as two positive ints"),
    ("boxes.box_coverage", lambda: boxes.box_coverage(T([[3.0, 0, 1, 1]]), some_boxes(1)), ValueError, "boxes: expected x2 >= x1"),
    ("boxes.box_coverage", lambda: boxes.box_coverage(some_boxes(1), T([[3.0, 0, 1, 1]])), ValueError, "gt_boxes: expected x2 >= x1"),
    ("baselines.centred_boxes", lambda: baselines.centred_boxes(some_boxes(2), 2, (8, 8.5)), ValueError, "image_size: expected (height, width)"),
    # exercise checkers of the chapters
    ("exercises.grade_cams", lambda: exercises.grade_cams(rand(2, 3, 4, 4), features=rand(2, 5, 4, 4), weight=rand(3, 5)), exercises.ExerciseError, "differs"),
    ("exercises.grade_cams", lambda: exercises.grade_cams("maps", features=rand(2, 5, 4, 4), weight=rand(3, 5)), exercises.ExerciseError, "expected a torch.Tensor"),
    ("exercises.grade_best_fraction", lambda: exercises.grade_best_fraction("x", maps=rand(2, 8, 8), gt_boxes=some_boxes(2), fractions=[0.2, 0.5]), exercises.ExerciseError, "expected"),
    ("exercises.grade_pixel_precision_recall", lambda: exercises.grade_pixel_precision_recall(3, maps=rand(1, 4, 4), masks=torch.ones(1, 4, 4, dtype=torch.bool)), exercises.ExerciseError, "function"),
    ("exercises.grade_grad_cam", lambda: exercises.grade_grad_cam("grad_cam"), exercises.ExerciseError, "function"),
    ("cam.compute_cams", lambda: cam.compute_cams(model(), rand(2, 3, 16, 16), classes="top"), ValueError, "classes: expected one of"),
    ("gradcam.gradient_cams", lambda: gradcam.gradient_cams(model(), rand(2, 3, 16, 16), classes=None), TypeError, "classes: expected a torch.Tensor"),
    ("exercises.grade_part_boxes", lambda: exercises.grade_part_boxes(lambda b, g: b), exercises.ExerciseError, "expected a tensor of shape (8,)"),
    ("exercises.grade_centred_boxes", lambda: exercises.grade_centred_boxes(rand(2, 3), reference_boxes=some_boxes(2), image_size=8), exercises.ExerciseError, "expected"),
    ("exercises.grade_gap", lambda: exercises.grade_gap(None), exercises.ExerciseError, "function"),
    ("exercises.grade_mean_iou", lambda: exercises.grade_mean_iou(NAN, predicted=T([[[0, 1]]]), target=T([[[0, 1]]]), num_classes=2), exercises.ExerciseError, "expected a finite number"),

    # bags and mil (chapter 8)
    ("bags.make_bags", lambda: bags.make_bags(0), ValueError, "n: expected"),
    ("bags.make_bags", lambda: bags.make_bags(4, witness_rate=0.0), ValueError, "witness_rate: expected a value in (0, 1]"),
    ("bags.make_bags", lambda: bags.make_bags(4, witness_rate=1.5), ValueError, "witness_rate: expected"),
    ("bags.make_bags", lambda: bags.make_bags(4, bag_size=5, spread=5), ValueError, "spread: expected a value in [0, 4]"),
    ("bags.make_bags", lambda: bags.make_bags(4, target=10), ValueError, "target: expected"),
    ("bags.make_bags", lambda: bags.make_bags(4, split="validation"), ValueError, "split: expected one of"),
    ("bags.witness_count", lambda: bags.witness_count(0, 0.5), ValueError, "size: expected"),
    ("bags.witness_count", lambda: bags.witness_count(4, -0.1), ValueError, "witness_rate: expected"),
    ("bags.bag_mask", lambda: bags.bag_mask(torch.full((2, 3, 1, 8, 8), -1.0)), ValueError, "mask: expected at least one instance in every bag, got an empty bag at index 0"),
    ("bags.bag_mask", lambda: bags.bag_mask(rand(3)), ValueError, "instances: expected bags"),
    ("bags.Bags", lambda: bags.Bags(rand(2, 3, 1, 8, 8), T([0, 2]), torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3, dtype=torch.long), 9, "train"), ValueError, "labels: expected labels 0"),
    ("bags.Bags", lambda: bags.Bags(rand(2, 3, 1, 8, 8), T([0, 1]), torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3, dtype=torch.long), 9, "train"), ValueError, "labels: expected each bag label to be 1 exactly when"),
    ("mil.MeanPooling", lambda: mil.MeanPooling()(rand(2, 3), torch.zeros(2, 3, dtype=torch.bool)), ValueError, "mask: expected at least one instance"),
    ("mil.MeanPooling", lambda: mil.MeanPooling()(rand(2, 3), torch.ones(2, 4, dtype=torch.bool)), ValueError, "mask: expected shape (2, 3)"),
    ("mil.MaxPooling", lambda: mil.MaxPooling()(rand(2), None), ValueError, "x: expected a tensor with 2 or 3"),
    ("mil.MaxPooling", lambda: mil.MaxPooling()(rand(2, 3), torch.ones(2, 3)), TypeError, "mask: expected a bool"),
    ("mil.LSEPooling", lambda: mil.LSEPooling(0.0), ValueError, "r: expected a value in (0"),
    ("mil.LSEPooling", lambda: mil.LSEPooling(1.0)(T([[1, 2]]), None), TypeError, "x: expected a floating-point"),
    ("mil.AttentionPooling", lambda: mil.AttentionPooling(0), ValueError, "dim: expected"),
    ("mil.AttentionPooling", lambda: mil.AttentionPooling(4, gated=1), TypeError, "gated: expected a bool"),
    ("mil.AttentionPooling", lambda: mil.AttentionPooling(4)(rand(2, 3, 5)), ValueError, "h: expected embeddings of size 4"),
    ("mil.MILModel", lambda: mil.MILModel("sum"), ValueError, "pooling: expected one of"),
    ("mil.MILModel", lambda: mil.MILModel("max")(rand(2, 3, 1, 6, 6)), ValueError, "instances: expected bags of 8x8"),
    ("mil.MILModel", lambda: mil.MILModel("mean").attention_weights(rand(2, 3, 1, 8, 8)), ValueError, "pooling: expected a model with 'attention' or 'gated_attention' pooling"),
    ("mil.train_mil", lambda: mil.train_mil(rand(2, 3, 1, 8, 8), "max"), TypeError, "bags: expected a wsl_lib.bags.Bags"),
    ("mil.train_mil", lambda: mil.train_mil(bags.make_bags(4), "sum"), ValueError, "pooling: expected one of"),
    ("mil.score_bags", lambda: mil.score_bags(model(), bags.make_bags(4)), TypeError, "model: expected a wsl_lib.mil.MILModel"),
    ("mil.score_bags", lambda: mil.score_bags(mil.MILModel(), bags.make_bags(4), batch_size=0), ValueError, "batch_size: expected"),
    ("mil.bag_auc", lambda: mil.bag_auc(rand(3), T([0, 1, 2])), ValueError, "labels: expected labels 0 (negative) or 1"),
    ("mil.bag_auc", lambda: mil.bag_auc(rand(3), T([1, 1, 1])), ValueError, "labels: expected both negative (0) and positive (1)"),
    ("mil.bag_auc", lambda: mil.bag_auc(with_value(rand(2), NAN), T([0, 1])), ValueError, "scores: expected finite"),
    ("mil.instance_auc", lambda: mil.instance_auc(rand(2, 3), T([[0, 0, 0], [0, 0, 0]]), torch.ones(2, 3, dtype=torch.bool)), ValueError, "instance_labels: expected both"),
    ("mil.instance_auc", lambda: mil.instance_auc(rand(2, 3), T([[0, 1, 0]]), torch.ones(2, 3, dtype=torch.bool)), ValueError, "scores: expected the shape"),
    ("mil.top_instance_accuracy", lambda: mil.top_instance_accuracy(rand(2, 3), T([[0, 1, 0], [1, 0, 0]]), torch.zeros(2, 3, dtype=torch.bool)), ValueError, "mask: expected at least one instance"),
    ("mil.top_instance_accuracy", lambda: mil.top_instance_accuracy(rand(2, 3), T([[0, 1, 0], [1, 0, 3]]), torch.ones(2, 3, dtype=torch.bool)), ValueError, "instance_labels: expected labels 0"),
    ("mil.evaluate", lambda: mil.evaluate(mil.MILModel(), bags.make_bags(1)), ValueError, "bags: expected some positive bags"),
    ("mil.evaluate", lambda: mil.evaluate(mil.MILModel(), rand(2, 3)), TypeError, "bags: expected a wsl_lib.bags.Bags"),
    ("exercises.grade_lse_pooling", lambda: exercises.grade_lse_pooling("lse"), exercises.ExerciseError, "function"),
    ("exercises.grade_lse_pooling", lambda: exercises.grade_lse_pooling(lambda s, m, r: s.mean(1)), exercises.ExerciseError, "differs from the reference"),
    # noise (chapter 9)
    ("noise.symmetric_transition", lambda: noise.symmetric_transition(6, 1.0), ValueError, "rate: expected a value in [0, 1)"),
    ("noise.symmetric_transition", lambda: noise.symmetric_transition(6, -0.1), ValueError, "rate: expected a value in [0, 1), got -0.1"),
    ("noise.symmetric_transition", lambda: noise.symmetric_transition(1, 0.2), ValueError, "num_classes: expected"),
    ("noise.symmetric_transition", lambda: noise.symmetric_transition(6, "0.2"), TypeError, "rate: expected a number"),
    ("noise.class_conditional_transition", lambda: noise.class_conditional_transition([0, 1], 0.2), ValueError, "confused_with: expected for class 0 another class"),
    ("noise.class_conditional_transition", lambda: noise.class_conditional_transition([1, 5], 0.2), ValueError, "confused_with: expected for class 1"),
    ("noise.class_conditional_transition", lambda: noise.class_conditional_transition("ab", 0.2), TypeError, "confused_with: expected a sequence"),
    ("noise.class_conditional_transition", lambda: noise.class_conditional_transition([1, 0], 1.0), ValueError, "rate: expected"),
    ("noise.check_transition", lambda: noise.check_transition(T([[0.5, 0.4], [0.0, 1.0]])), ValueError, "transition: expected every row to sum to 1"),
    ("noise.check_transition", lambda: noise.check_transition(rand(2, 3)), ValueError, "transition: expected shape"),
    ("noise.check_transition", lambda: noise.check_transition(T([[1.5, -0.5], [0.0, 1.0]])), ValueError, "transition: expected probabilities (no negative entry)"),
    ("noise.check_transition", lambda: noise.check_transition(torch.eye(3), 4), ValueError, "transition: expected shape (4, 4)"),
    ("noise.check_transition", lambda: noise.check_transition(T([[NAN, 1.0], [0.0, 1.0]])), ValueError, "transition: expected finite values"),
    ("noise.corrupt_labels", lambda: noise.corrupt_labels(T([0, 7]), noise.symmetric_transition(6, 0.2)), ValueError, "labels: expected class indices in [0, 5], got the value 7"),
    ("noise.corrupt_labels", lambda: noise.corrupt_labels(T([0.0, 1.0]), noise.symmetric_transition(6, 0.2)), TypeError, "labels: expected an integer"),
    ("noise.corrupt_labels", lambda: noise.corrupt_labels(T([0, 1]), T([[0.5, 0.4], [0.0, 1.0]])), ValueError, "transition: expected every row to sum to 1"),
    ("noise.corrupt_labels", lambda: noise.corrupt_labels(T([0, 1]), torch.eye(2), seed=-1), ValueError, "seed: expected"),
    ("noise.estimate_transition", lambda: noise.estimate_transition(T([[0.5, 0.5], [0.2, 0.8]]), T([0, 0])), ValueError, "labels: expected at least one image of every class"),
    ("noise.estimate_transition", lambda: noise.estimate_transition(T([[2.0, -1.0]]), T([0])), ValueError, "probabilities: expected rows of probabilities"),
    ("noise.estimate_transition", lambda: noise.estimate_transition(T([[0.5, 0.5]]), T([0, 1])), ValueError, "mismatched batch sizes"),
    ("noise.gce_loss", lambda: noise.gce_loss(rand(2, 3), T([0, 1]), q=0.0), ValueError, "q: expected a value in (0, 1]"),
    ("noise.gce_loss", lambda: noise.gce_loss(rand(2, 3), T([0, 3])), ValueError, "targets: expected class indices in [0, 2], got the value 3"),
    ("noise.gce_loss", lambda: noise.gce_loss(rand(2, 3), T([0, 1, 2])), ValueError, "mismatched batch sizes"),
    ("noise.forward_corrected_loss", lambda: noise.forward_corrected_loss(rand(2, 2), T([0, 1]), torch.eye(3)), ValueError, "transition: expected shape (2, 2)"),
    ("noise.forward_corrected_loss", lambda: noise.forward_corrected_loss(rand(2, 2), T([0, 1]), T([[0.5, 0.4], [0.0, 1.0]])), ValueError, "transition: expected every row to sum to 1"),
    ("noise.forward_corrected_loss", lambda: noise.forward_corrected_loss(rand(2, 2), T([0.0, 1.0]), torch.eye(2)), TypeError, "targets: expected an integer"),
    ("noise.small_loss_cross_entropy", lambda: noise.small_loss_cross_entropy(rand(2, 3), T([0, 1]), 0.0), ValueError, "keep: expected a value in (0, 1]"),
    ("noise.small_loss_cross_entropy", lambda: noise.small_loss_cross_entropy(rand(2, 3), T([0, 1]), 1.5), ValueError, "keep: expected a value in (0, 1]"),
    ("noise.small_loss_cross_entropy", lambda: noise.small_loss_cross_entropy(rand(3), T([0, 1, 2]), 0.5), ValueError, "logits: expected a tensor with 2"),
    ("noise.SmallLossCrossEntropy", lambda: noise.SmallLossCrossEntropy(1.0, 10), ValueError, "forget_rate: expected a value in [0, 1)"),
    ("noise.SmallLossCrossEntropy", lambda: noise.SmallLossCrossEntropy(0.2, 0), ValueError, "ramp_steps: expected a value in [1"),
    ("noise.SmallLossCrossEntropy", lambda: noise.SmallLossCrossEntropy(0.2, 10)(rand(2, 3), T([0, 5])), ValueError, "targets: expected class indices"),
    ("noise.fit_recording", lambda: noise.fit_recording(model(), rand(4, 3, 8, 8), T([0, 1, 2, 0]), "record"), TypeError, "record: expected a function"),
    ("noise.fit_recording", lambda: noise.fit_recording(model(), rand(4, 3, 8, 8), T([0, 1, 2, 0]), lambda m: {}, on_epoch=print), TypeError, "on_epoch: expected none"),
    ("noise.fit_recording", lambda: noise.fit_recording(model(), rand(4, 3, 8, 8), T([0, 1, 2, 0]), lambda m: {}, select=3), TypeError, "select: expected None or the name"),
    ("noise.fit_recording", lambda: noise.fit_recording(models.SmallCNN(3, widths=(4, 8), image_size=8), rand(4, 3, 8, 8), T([0, 1, 2, 0]), lambda m: {"a": 1.0}, select="b", epochs=1, batch_size=4, progress=False, device="cpu"), ValueError, "select: expected one of the recorded names"),
    ("noise.fit_recording", lambda: noise.fit_recording(models.SmallCNN(3, widths=(4, 8), image_size=8), rand(4, 3, 8, 8), T([0, 1, 2, 0]), lambda m: 0.5, epochs=1, batch_size=4, progress=False, device="cpu"), TypeError, "record: expected it to return a dict"),
    ("exercises.grade_transition_estimate", lambda: exercises.grade_transition_estimate(T([[0.7, 0.1], [0.3, 0.9]]), probabilities=T([[0.8, 0.2], [0.6, 0.4], [0.1, 0.9]]), labels=T([0, 0, 1])), exercises.ExerciseError, "transposed"),
    ("exercises.grade_transition_estimate", lambda: exercises.grade_transition_estimate("T", probabilities=T([[0.8, 0.2], [0.1, 0.9]]), labels=T([0, 1])), exercises.ExerciseError, "expected a torch.Tensor"),
]

# Inputs whose result is documented rather than an error: (public name, call, check of the result)
DEFINED = [
    ("cam.normalize", lambda: cam.normalize(torch.zeros(1, 4, 4), "max"), lambda r: bool((r == 0).all())),
    ("cam.normalize", lambda: cam.normalize(torch.full((1, 4, 4), 3.0), "minmax"), lambda r: bool((r == 0).all())),
    ("cam.normalize", lambda: cam.normalize(-torch.ones(1, 4, 4), "max"), lambda r: bool((r == 0).all())),
    ("localize.boxes_from_maps", lambda: localize.boxes_from_maps(torch.zeros(1, 4, 4)), lambda r: r.tolist() == [[0, 0, 0, 0]]),
    ("localize.boxes_from_maps", lambda: localize.boxes_from_maps(torch.full((1, 4, 4), 2.0)), lambda r: r.tolist() == [[0, 0, 0, 0]]),
    ("localize.threshold_maps", lambda: localize.threshold_maps(-rand(1, 4, 4)), lambda r: not bool(r.any())),
    ("localize.largest_component", lambda: localize.largest_component(torch.zeros(1, 4, 4, dtype=torch.bool)), lambda r: not bool(r.any())),
    ("boxes.masks_to_boxes", lambda: boxes.masks_to_boxes(torch.zeros(2, 4, 4, dtype=torch.bool)), lambda r: bool((r == 0).all())),
    ("boxes.masks_to_boxes", lambda: boxes.masks_to_boxes(torch.zeros(0, 4, 4, dtype=torch.bool)), lambda r: r.shape == (0, 4)),
    ("boxes.paired_box_iou", lambda: boxes.paired_box_iou(T([[2.0, 2.0, 2.0, 5.0]]), T([[2.0, 2.0, 2.0, 5.0]])), lambda r: r.tolist() == [0.0]),
    ("boxes.paired_box_iou", lambda: boxes.paired_box_iou(torch.zeros(0, 4), torch.zeros(0, 4)), lambda r: r.shape == (0,)),
    ("metrics.iou_curve", lambda: metrics.iou_curve(torch.zeros(1, 4, 4), some_boxes(1), [0.5]), lambda r: r.tolist() == [[0.0]]),
    ("metrics.max_box_accuracy", lambda: metrics.max_box_accuracy(torch.full((2, 4, 4), 0.5), some_boxes(2)).value, lambda r: r == 0.0),
    ("metrics.pixel_average_precision", lambda: metrics.pixel_average_precision(torch.zeros(1, 4, 4), torch.ones(1, 4, 4, dtype=torch.bool)), lambda r: r == 1.0),
    ("viz.heatmap", lambda: viz.heatmap(torch.zeros(4, 4)), lambda r: r.shape == (3, 4, 4)),
    ("metrics.mean_iou", lambda: metrics.mean_iou(T([[[0, 0]]]), T([[[0, 0]]]), 3), lambda r: r == 1.0),
    ("segment.box_pseudo_masks", lambda: segment.box_pseudo_masks(torch.zeros(1, 4), T([0]), (8, 8)), lambda r: not bool((r == 1).any())),
    ("boxes.box_coverage", lambda: boxes.box_coverage(torch.zeros(1, 4), some_boxes(1)), lambda r: r[0].tolist() == [0.0] and r[1].tolist() == [0.0]),
    ("metrics.mean_iou", lambda: metrics.mean_iou(T([[[1, 1, 255, 255]]]), T([[[1, 1, 1, 1]]]), 2), lambda r: r == 0.5),
    ("metrics.mean_iou", lambda: metrics.mean_iou(T([[[1, 1, 255, 255]]]), T([[[1, 1, 1, 1]]]), 2, unlabelled="skip"), lambda r: r == 1.0),
    ("metrics.iou_curve_plain", lambda: metrics.iou_curve_plain(torch.zeros(1, 4, 4), some_boxes(1), [0.5]), lambda r: r.tolist() == [[0.0]]),
    ("metrics.pixel_average_precision", lambda: metrics.pixel_average_precision(torch.full((1, 2, 2), 0.5), T([[[True, False], [False, False]]]), ignore=T([[[False, True], [True, True]]])), lambda r: r == 1.0),
    ("boxes.boxes_to_masks", lambda: boxes.boxes_to_masks(torch.zeros(1, 4), (4, 4)), lambda r: not bool(r.any())),
    ("bags.witness_count", lambda: bags.witness_count(4, 0.01), lambda r: r == 1),
    ("mil.MaxPooling", lambda: mil.MaxPooling()(T([[2.0, 9.0]]), T([[True, False]])), lambda r: r.tolist() == [2.0]),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[[0, 0]]]), T([[[0, 0]]]), 1), lambda r: r.tolist() == [[2]]),
    ("metrics.confusion_matrix", lambda: metrics.confusion_matrix(T([[[0, 1, 1]]]), T([[[0, 255, 1]]]), 2), lambda r: r.tolist() == [[1, 0], [0, 1]]),
    ("metrics.mean_iou", lambda: metrics.mean_iou(torch.zeros(0, 2, 2, dtype=torch.long), torch.zeros(0, 2, 2, dtype=torch.long), 2), lambda r: bool(np.isnan(r))),
]

# Public names with no input to get wrong, and why
EXEMPT = {
    "train.default_device": "takes no argument",
    "train.FitResult": "a NamedTuple of results that train.fit builds, never a reader",
    "noise.Recording": "a NamedTuple of results that noise.fit_recording builds, never a reader",
    "cache.cache_dir": "takes no argument (the directory comes from WSL_CACHE_DIR, checked in test_cache.py)",
    "metrics.MaxBoxAccuracy": "a NamedTuple of results that wsl_lib builds, never a reader",
    "metrics.WSOLScores": "a NamedTuple of results that wsl_lib builds, never a reader",
    "claims.Bound": "a NamedTuple that claims.above and claims.below build (their rows check the input)",
    "mil.BagScores": "a NamedTuple of results that mil.score_bags builds, never a reader",
    "mil.MILEvaluation": "a NamedTuple of results that mil.evaluate builds, never a reader",
}


def public_names() -> set:
    """``module.name`` of every public function and class defined in a wsl_lib module."""
    names = set()
    for module_name in wsl.__all__:
        module = getattr(wsl, module_name)
        if not inspect.ismodule(module):
            continue
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) == module.__name__:
                names.add(f"{module_name}.{name}")
    return names


@pytest.mark.parametrize("name, call, error, words", BAD, ids=[f"{r[0]}-{i}" for i, r in enumerate(BAD)])
def test_bad_input_gets_a_clear_error(name, call, error, words):
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    assert words in message, f"{name}: the message {message!r} does not say {words!r}"
    # the message names the argument first ("<argument>: expected ..., got ..."), and the row
    # checks that name, not a word that any message contains
    if error not in (claims.ClaimError, exercises.ExerciseError):      # a failed finding or answer, not an argument
        assert MESSAGE_FORM.match(message), f"{name}: the message {message!r} does not start with '<argument>: expected'"
        # ... and the argument it names first is the row's (its words up to the colon)
        assert message.startswith(words.split(":")[0]), f"{name}: the message {message!r} does not start with {words!r}"
    assert ":" in words or words.startswith("mismatched batch sizes") or error is exercises.ExerciseError, \
        f"{name}: the row's words {words!r} do not include the argument's name and its colon"


@pytest.mark.parametrize("name, call, check", DEFINED, ids=[f"{r[0]}-{i}" for i, r in enumerate(DEFINED)])
def test_edge_cases_give_the_documented_result(name, call, check):
    assert check(call())


def test_every_public_function_is_covered():
    covered = {row[0] for row in BAD} | {row[0] for row in DEFINED} | set(EXEMPT)
    missing = sorted(public_names() - covered)
    assert not missing, f"public names of wsl_lib with no bad-input row in tests/test_bad_input.py: {missing}"
    unknown = sorted(covered - public_names())
    assert not unknown, f"rows for names wsl_lib does not define: {unknown}"


def test_report_the_count():
    print(f"\n{len(BAD)} bad-input cases and {len(DEFINED)} defined edge cases over "
          f"{len(public_names())} public names of wsl_lib")
