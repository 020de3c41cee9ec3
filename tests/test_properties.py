"""Property-based tests (hypothesis) of wsl_lib's geometry, CAMs and metrics.

Each test states a law that must hold for *every* input, and hypothesis searches for an
input that breaks it. The examples are derandomized (the same ones on every run and
machine), so a failure in CI is reproducible; `HYPOTHESIS_PROFILE=explore pytest ...`
searches more widely with fresh random examples.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import scipy.ndimage as ndi
import torch
import torchvision.ops as ops
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score

from wsl_lib import baselines, boxes, cam, data, localize, metrics, models
from wsl_lib.boxes import paired_box_iou, masks_to_boxes

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60, print_blob=True)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SIZE = 24


@st.composite
def box(draw, size=SIZE, empty=True):
    """A valid box (x1, y1, x2, y2) with integer corners in [0, size]; zero area allowed if ``empty``."""
    x1, x2 = sorted(draw(st.lists(st.integers(0, size), min_size=2, max_size=2)))
    y1, y2 = sorted(draw(st.lists(st.integers(0, size), min_size=2, max_size=2)))
    assume(empty or (x2 > x1 and y2 > y1))
    return [float(x1), float(y1), float(x2), float(y2)]


def boxes(n, **kwargs):
    return st.lists(box(**kwargs), min_size=n, max_size=n).map(torch.tensor)


@st.composite
def smooth_maps(draw, n=None, size=SIZE):
    """``(N, size, size)`` maps in [0, 1]: small random grids upsampled bilinearly (CAM-like), min-max normalized."""
    n = n or draw(st.integers(1, 3))
    low = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2 ** 31 - 1))
    coarse = torch.rand(n, low, low, generator=torch.Generator().manual_seed(seed))
    return cam.normalize(cam.upsample(coarse, (size, size)), "minmax")


# ------------------------------------------------------------------ boxes and IoU

@given(boxes(5), boxes(5))
def test_iou_is_symmetric_bounded_and_agrees_with_torchvision(a, b):
    iou = paired_box_iou(a, b)
    torch.testing.assert_close(iou, paired_box_iou(b, a))
    assert bool(((iou >= 0) & (iou <= 1)).all())
    nonempty = (ops.box_area(a) > 0) & (ops.box_area(b) > 0)
    reference = ops.box_iou(a, b).diagonal()
    torch.testing.assert_close(iou[nonempty], reference[nonempty])
    assert bool((iou[~nonempty] == 0).all()), "a box of zero area overlaps nothing"


@given(boxes(4, empty=False))
def test_iou_of_a_box_with_itself_is_one(a):
    torch.testing.assert_close(paired_box_iou(a, a), torch.ones(4))


@given(box(empty=False), st.integers(0, SIZE))
def test_iou_of_disjoint_boxes_is_zero(a, gap):
    x1, y1, x2, y2 = a
    right_of = [x2 + gap, y1, x2 + gap + (x2 - x1), y2]        # to the right, touching when gap == 0
    assert float(paired_box_iou(torch.tensor([a]), torch.tensor([right_of]))[0]) == 0.0


@given(st.integers(0, 2 ** 31 - 1), st.floats(0.05, 0.95))
def test_box_of_a_mask_contains_every_mask_pixel_and_is_tight(seed, density):
    masks = torch.rand(3, SIZE, SIZE, generator=torch.Generator().manual_seed(seed)) < density
    masks[0] = False                                             # an empty mask among them
    for mask, (x1, y1, x2, y2) in zip(masks, masks_to_boxes(masks).tolist()):
        rows, cols = torch.nonzero(mask, as_tuple=True)
        if len(rows) == 0:
            assert (x1, y1, x2, y2) == (0, 0, 0, 0)
            continue
        assert x1 <= cols.min() and cols.max() < x2 and y1 <= rows.min() and rows.max() < y2
        assert (x1, y1, x2 - 1, y2 - 1) == (cols.min(), rows.min(), cols.max(), rows.max())


# ------------------------------------------------------------------ localization from a map

def _unique_largest(maps, threshold):
    """True when every map's largest component above ``threshold * max`` is unique (no tie to break)."""
    for region in localize.threshold_maps(maps, threshold).numpy():
        labels, n = ndi.label(region, structure=np.ones((3, 3)))
        sizes = np.bincount(labels.ravel())[1:]
        if n and (sizes == sizes.max()).sum() > 1:
            return False
    return True


@given(smooth_maps(), st.floats(0.01, 100.0), st.floats(0.05, 0.95))
def test_localization_is_invariant_to_positive_scaling(maps, scale, threshold):
    maps = maps + 0.01                                           # strictly positive peak
    torch.testing.assert_close(localize.boxes_from_maps(maps * scale, threshold),
                               localize.boxes_from_maps(maps, threshold))


@given(smooth_maps(), st.floats(0.05, 0.95))
def test_localization_is_equivariant_to_flipping(maps, threshold):
    assume(_unique_largest(maps, threshold))
    x1, y1, x2, y2 = localize.boxes_from_maps(maps, threshold).unbind(1)
    flipped = localize.boxes_from_maps(maps.flip(-1), threshold)
    nonempty = x2 > x1
    mirrored = torch.stack([SIZE - x2, y1, SIZE - x1, y2], 1)
    torch.testing.assert_close(flipped[nonempty], mirrored[nonempty])


# ------------------------------------------------------------------ CAMs

@given(st.integers(0, 10 ** 6), st.integers(1, 5), st.integers(2, 7),
       st.lists(st.sampled_from([4, 8, 16]), min_size=2, max_size=3), st.sampled_from(["gap", "gmp"]))
@settings(max_examples=15)
def test_cam_identity_holds_for_random_architectures_and_batch_sizes(seed, batch, classes, widths, head):
    torch.manual_seed(seed)
    model = models.SmallCNN(classes, head=head, widths=tuple(widths)).eval()
    images = torch.rand(batch, 3, 64, 64)
    if head == "gap":
        assert cam.cam_identity_gap(model, images) < 1e-4
    else:
        # max pooling: the logit is the bias plus sum_k w_k max f_k, which no single map value gives; but the
        # maps are still the same tensor product of the features (the three computations of the CAM agree)
        logits, maps = cam.compute_cams(model, images, size=None)
        with torch.no_grad():
            features = model.features(images)
        reference = torch.nn.functional.conv2d(features, model.classifier.weight[:, :, None, None])
        torch.testing.assert_close(maps, reference, rtol=1e-4, atol=1e-5)


@given(st.integers(0, 10 ** 6), st.integers(2, 6), st.integers(0, 5))
@settings(max_examples=10)
def test_one_images_cam_does_not_depend_on_the_rest_of_the_batch(seed, batch, which):
    assume(which < batch)
    torch.manual_seed(seed)
    model = models.SmallCNN(4, widths=(8, 16)).eval()
    images = torch.rand(batch, 3, 64, 64)
    for normalization in ("none", "max", "minmax"):
        _, together = cam.compute_cams(model, images, classes="predicted", normalization=normalization)
        _, alone = cam.compute_cams(model, images[which:which + 1], classes="predicted", normalization=normalization)
        torch.testing.assert_close(together[which:which + 1], alone, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------ metrics

@given(st.integers(0, 2 ** 31 - 1), st.integers(1, 4), st.integers(2, 20))
def test_pxap_equals_sklearn_average_precision(seed, n, levels):
    g = torch.Generator().manual_seed(seed)
    # scores on the threshold grid, so that sweeping the grid visits every distinct score, as sklearn does
    maps = torch.randint(0, levels, (n, 8, 8), generator=g).double() / levels
    masks = torch.rand(n, 8, 8, generator=g) < 0.3
    assume(bool(masks.any()))
    thresholds = torch.arange(levels, dtype=torch.float64) / levels
    ours = metrics.pixel_average_precision(maps, masks, thresholds)
    theirs = average_precision_score(masks.flatten().numpy(), maps.flatten().numpy())
    assert ours == pytest.approx(theirs, abs=1e-9)


def _slow_iou_curve(maps, gt_boxes, thresholds, components):
    """The plain loop: every image, every threshold, label, boxes, best IoU."""
    out = torch.zeros(len(maps), len(thresholds))
    for i, score in enumerate(maps.numpy()):
        for j, tau in enumerate(thresholds.tolist()):
            labels, n = ndi.label(score >= np.float32(tau), structure=np.ones((3, 3)))
            if n == 0:
                continue
            found = ndi.find_objects(labels)
            candidates = torch.tensor([[s[1].start, s[0].start, s[1].stop, s[0].stop] for s in found], dtype=torch.float32)
            if components == "largest":
                sizes = np.bincount(labels.ravel())[1:]
                candidates = candidates[int(sizes.argmax())][None]
            out[i, j] = paired_box_iou(candidates, gt_boxes[i].expand(len(candidates), 4)).max()
    return out


@given(smooth_maps(n=3, size=16), boxes(3, size=16, empty=False), st.sampled_from(["largest", "all"]))
@settings(max_examples=25)
def test_fast_sweep_equals_the_slow_loop(maps, gt, components):
    thresholds = metrics.default_thresholds(0.05)
    fast = metrics.iou_curve(maps, gt, thresholds, components=components)
    torch.testing.assert_close(fast, _slow_iou_curve(maps, gt, thresholds, components=components))
    best = metrics.max_box_accuracy(maps, gt, thresholds, components=components)
    slow_best = (_slow_iou_curve(maps, gt, thresholds, components=components) >= 0.5).float().mean(0).max()
    assert best.value == pytest.approx(float(slow_best))
