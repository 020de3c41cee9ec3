"""Tests that a plausible wrong implementation fails (issue 17: each of these bugs once passed the suite).

Each test names the mutant it kills: a one-token change to wsl_lib that gives wrong numbers.
"""

import math

import matplotlib
import pytest
import torch
from torch import nn

from wsl_lib import boxes, cam, gradcam, localize, metrics, models, train, viz


def test_largest_component_is_eight_connected():
    # mutant: 4-connectivity. Four pixels touching only by corners form one 8-connected
    # component, larger than the 3-pixel bar beside them.
    masks = torch.zeros(1, 6, 8, dtype=torch.bool)
    for i in range(4):
        masks[0, i, i] = True                      # a diagonal of 4 pixels
    masks[0, 5, 5:8] = True                        # a bar of 3
    kept = localize.largest_component(masks)
    assert kept[0].sum() == 4 and bool(kept[0, 3, 3])


def test_a_pixel_exactly_at_the_fraction_of_the_maximum_is_kept():
    # mutant: ">" instead of ">=" in the fraction-of-max rule
    maps = torch.tensor([[[1.0, 0.5, 0.0, 0.0]]])
    assert localize.threshold_maps(maps, 0.5).tolist() == [[[True, True, False, False]]]
    assert localize.boxes_from_maps(maps, 0.5).tolist() == [[0.0, 0.0, 2.0, 1.0]]


def test_upsample_uses_pixel_centres_not_corners():
    # mutant: align_corners=True. With pixel centres (align_corners=False) a 1 x 2 map [0, 1]
    # resized to 1 x 4 gives [0, 0.25, 0.75, 1]; aligning corners would give [0, 1/3, 2/3, 1].
    out = cam.upsample(torch.tensor([[[0.0, 1.0]]]), (1, 4))
    torch.testing.assert_close(out, torch.tensor([[[0.0, 0.25, 0.75, 1.0]]]))


def test_fit_trains_on_the_augmented_batch():
    # mutant: the augmented batch is computed but the original one is used
    seen = []

    class Recorder(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 2)

        def forward(self, x):
            seen.append(x.detach().clone())
            return self.linear(x)

    def negate(x, y, generator):
        return -x - 10, y

    inputs = torch.rand(8, 4)
    train.fit(Recorder(), inputs, torch.zeros(8, dtype=torch.long), epochs=1, batch_size=8,
              augment=negate, device="cpu", progress=False)
    assert len(seen) == 1 and bool((seen[0] < -9).all())


def test_max_box_accuracy_reports_the_lowest_of_tied_thresholds():
    # mutant: the tie goes to the highest threshold. A binary map gives the same box at every
    # threshold in (0, 1], so all but 0.0 tie.
    maps = torch.zeros(1, 8, 8)
    maps[0, 2:6, 2:6] = 1.0
    result = metrics.max_box_accuracy(maps, torch.tensor([[2.0, 2.0, 6.0, 6.0]]), [0.0, 0.3, 0.6, 0.9])
    assert result.value == 1.0 and result.best_threshold == {0.5: 0.3}


def test_default_thresholds_stop_below_one():
    # mutant: 1.0 included (a map thresholded at its maximum alone is not a threshold of the paper)
    t = metrics.default_thresholds()
    assert len(t) == 100 and float(t[0]) == 0.0 and float(t[-1]) == pytest.approx(0.99) and bool((t < 1).all())


def test_heatmap_is_min_max_scaled():
    # mutant: the map's raw values fed to the colour map. A map from 2 to 5 must use the whole
    # colour map, exactly as the same map scaled to [0, 1].
    ramp = torch.linspace(0, 1, 6).view(2, 3)
    colours = viz.heatmap(2 + 3 * ramp)
    torch.testing.assert_close(colours, viz.heatmap(ramp))
    lowest, highest = matplotlib.colormaps["viridis"]([0.0, 1.0])[:, :3]
    torch.testing.assert_close(colours[:, 0, 0], torch.tensor(lowest, dtype=torch.float32))
    torch.testing.assert_close(colours[:, 1, 2], torch.tensor(highest, dtype=torch.float32))


# --------------------------------------------------------------------------- found by `make mutation`
# Each test below kills mutants that survived the first run of mutmut: a changed comparison,
# constant or argument that gave wrong numbers on inputs no test had used. The mutant is named
# in a comment; the README lists the survivors judged equivalent.

T = torch.tensor


def tiny_model(seed=0, num_classes=3):
    torch.manual_seed(seed)
    return models.SmallCNN(num_classes).eval()


def test_each_map_is_thresholded_at_a_fraction_of_its_own_peak():
    # mutant: one peak over the whole batch
    maps = T([[[1.0, 0.4]], [[0.5, 0.3]]])
    assert localize.threshold_maps(maps, 0.5).tolist() == [[[True, False]], [[True, True]]]


def test_a_map_whose_peak_is_zero_selects_nothing():
    # mutant: "peak >= 0" (a map of zeros and negatives is not a positive maximum)
    assert not localize.threshold_maps(T([[[0.0, -1.0]]]), 0.2).any()


def test_candidate_boxes_join_pixels_that_touch_by_a_corner():
    # mutant: 4-connectivity in the released code's rule
    maps = torch.zeros(1, 4, 4)
    maps[0, 0, 0] = maps[0, 1, 1] = 1.0
    found = localize.candidate_boxes(maps, (0.5,))
    assert found.tolist() == [[[0.0, 0.0, 2.0, 2.0]]]


def test_localization_accuracy_top_1_counts_the_right_class_only():
    # mutants: "!=" for "==" in the top-k test; logits.shape[-2] (the batch) for the classes;
    # k == number of classes refused
    gt = T([[0.0, 0.0, 4.0, 4.0]] * 3)
    logits = T([[0.0, 2.0, 1.0, 0.0], [3.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 5.0]])
    labels = T([1, 0, 2])                        # right, right, wrong
    acc = localize.localization_accuracy(gt, gt, logits=logits, labels=labels, k=1)
    assert acc == pytest.approx(2 / 3)
    labels_up_to_c = T([3, 0, 3])                # class 3 exists (4 classes) though the batch has 3
    assert localize.localization_accuracy(gt, gt, logits=logits, labels=labels_up_to_c, k=1) == pytest.approx(2 / 3)
    assert localize.localization_accuracy(gt, gt, logits=logits, labels=labels, k=4) == 1.0   # k = C: every class
    # classes without k: refused (GT-known accuracy uses none), never silently ignored
    with pytest.raises(ValueError, match=r"^k: expected an int with logits and labels"):
        localize.localization_accuracy(gt, gt, labels=labels)
    with pytest.raises(ValueError, match=r"^labels: expected class indices in \[0, 3\], got the value 4"):
        localize.localization_accuracy(gt[:2], gt[:2], logits=logits[:2], labels=T([0, 4]), k=1)


def test_failure_kinds_at_the_exact_thresholds_and_with_their_arguments():
    gt = T([[0.0, 0.0, 4.0, 1.0]])
    right, wrong = T([[1.0, 0.0]]), T([[0.0, 1.0]])
    label = T([0])
    half = T([[0.0, 0.0, 2.0, 1.0]])                     # IoU exactly 0.5
    # mutant: "iou > iou_threshold" (IoU exactly at the threshold is a success)
    assert localize.failure_kinds(half, gt, logits=right, labels=label).tolist() == [0]
    # mutant: the predicted class's box compared with ">"
    far = T([[10.0, 0.0, 12.0, 1.0]])
    assert localize.failure_kinds(far, gt, logits=wrong, labels=label, predicted_boxes=half).tolist() == [3]
    # mutant: "share_covered > inside": the box holds exactly 80% of the ground truth (IoU 0.4)
    gt5 = T([[0.0, 0.0, 5.0, 1.0]])
    assert localize.failure_kinds(T([[1.0, 0.0, 10.0, 1.0]]), gt5, logits=right, labels=label).tolist() == [2]
    # mutants: inside and iou_threshold not passed on to part_boxes
    gt10 = T([[3.0, 0.0, 13.0, 1.0]])
    seventy = T([[1.5, 0.0, 6.5, 1.0]])                  # 70% of it inside the ground truth, IoU 0.3
    assert localize.failure_kinds(seventy, gt10, logits=right, labels=label, inside=0.6).tolist() == [1]
    assert localize.failure_kinds(seventy, gt10, logits=right, labels=label).tolist() == [4]
    six = T([[3.0, 0.0, 9.0, 1.0]])                      # inside the ground truth, IoU 0.6
    assert localize.failure_kinds(six, gt10, logits=right, labels=label, iou_threshold=0.7).tolist() == [1]


def test_choose_fraction_returns_the_best_not_the_last():
    # mutant: max over the indices without the accuracies as key
    maps = torch.zeros(1, 8, 8)
    maps[0, 2:6, 2:6] = 1.0
    maps[0, 0:8, 0:8] += 0.3                             # a halo over the whole image
    best, accuracies = localize.choose_fraction(maps.clamp(max=1), T([[2.0, 2.0, 6.0, 6.0]]), [0.5, 0.1])
    assert best == 0.5 and accuracies == [1.0, 0.0]


def test_thresholds_must_increase_strictly_everywhere():
    # mutants: ">=" (a repeated threshold accepted), "[:+1]" (each compared with the first only)
    maps = torch.zeros(1, 4, 4)
    gt = T([[0.0, 0.0, 1.0, 1.0]])
    for bad in ([0.2, 0.2], [0.1, 0.5, 0.3]):
        with pytest.raises(ValueError, match="^thresholds: expected strictly increasing values$"):
            metrics.iou_curve(maps, gt, bad)


def test_maps_below_zero_are_refused_with_the_full_message():
    # mutants: the lower bound dropped; the message changed
    with pytest.raises(ValueError) as caught:
        metrics.iou_curve(torch.full((1, 4, 4), -0.5), T([[0.0, 0.0, 1.0, 1.0]]))
    assert str(caught.value) == ("maps: expected score maps normalized to [0, 1] "
                                 "(wsl_lib.cam.normalize(maps, 'minmax')), got values outside [0, 1]")


def test_a_pixel_equal_to_the_threshold_in_the_maps_precision_is_kept():
    # mutant: thresholds compared in float64 (float32's 0.7 is 0.69999999, below float64's 0.7)
    maps = torch.zeros(1, 4, 4)
    maps[0, 1, 1] = 0.7                                  # float32
    maps[0, 3, 3] = 1.0
    gt = T([[1.0, 1.0, 2.0, 2.0]])
    for components in ("largest", "all"):
        plain = metrics.iou_curve_plain(maps, gt, [0.7], components=components)
        assert plain.tolist() == metrics.iou_curve(maps, gt, [0.7], components=components).tolist()
    assert metrics.iou_curve_plain(maps, gt, [0.7], components="all").tolist() == [[1.0]]


def test_box_accuracy_counts_an_iou_exactly_at_the_level():
    # mutants: ">" for ">=" in box_accuracy and in max_box_accuracy's curve
    maps = torch.zeros(1, 1, 4)
    maps[0, 0, 0:2] = 1.0
    gt = T([[0.0, 0.0, 4.0, 1.0]])                       # IoU 2/4
    assert metrics.box_accuracy(maps, gt, 0.5) == 1.0
    assert metrics.max_box_accuracy(maps, gt, [0.5]).value == 1.0


def test_max_box_accuracy_levels_thresholds_and_keys():
    maps = torch.zeros(1, 8, 8)
    maps[0, 2:6, 2:6] = 1.0
    gt = T([[2.0, 2.0, 6.0, 6.0]])
    # mutant: an IoU level of exactly 1 refused (a perfect box reaches it)
    assert metrics.max_box_accuracy(maps, gt, iou_thresholds=(1.0,)).value == 1.0
    # mutant: "deltas > 2"
    with pytest.raises(ValueError, match=r"^iou_thresholds: expected values in \(0, 1\]"):
        metrics.max_box_accuracy(maps, gt, iou_thresholds=(1.5,))
    # mutants: keys rounded to 5 decimals; the thresholds of the result dropped
    result = metrics.max_box_accuracy(maps, gt, [0.25, 0.75], iou_thresholds=(0.12345,))
    assert list(result.per_iou) == [0.1235] and list(result.best_threshold) == [0.1235]
    assert result.thresholds.tolist() == [0.25, 0.75]


def test_max_box_accuracy_v2_is_max_box_accuracy_with_its_three_levels_and_every_component():
    # mutants: thresholds, components or convention not passed on
    pytest.importorskip("cv2")
    g = torch.Generator().manual_seed(0)
    maps = torch.rand(6, 16, 16, generator=g).double()
    maps = (maps - maps.amin((1, 2), keepdim=True)) / (maps.amax((1, 2), keepdim=True) - maps.amin((1, 2), keepdim=True))
    gt = T([[2.0, 2.0, 9.0, 9.0]]).repeat(6, 1)
    taus = [0.3, 0.6, 0.9]
    results = {}
    for convention in ("exact", "wsolevaluation"):
        v2 = metrics.max_box_accuracy_v2(maps, gt, taus, convention=convention)
        same = metrics.max_box_accuracy(maps, gt, taus, iou_thresholds=(0.3, 0.5, 0.7), components="all",
                                        convention=convention)
        assert torch.equal(v2.curve, same.curve) and v2.thresholds.tolist() == taus
        results[convention] = v2.curve
    largest = metrics.max_box_accuracy(maps, gt, taus, iou_thresholds=(0.3, 0.5, 0.7)).curve
    # the test can tell: the conventions differ here, and so do the components
    assert not torch.equal(results["exact"], results["wsolevaluation"])
    assert not torch.equal(results["exact"], largest)


def test_the_wsolevaluation_convention_on_empty_maps_and_the_bottom_border():
    pytest.importorskip("cv2")
    # mutants: the box of an empty region (one pixel at the origin in the reference code)
    empty = torch.zeros(1, 8, 8)
    curve = metrics.iou_curve(empty, T([[0.0, 0.0, 2.0, 2.0]]), [0.5], convention="wsolevaluation")
    assert curve.tolist() == [[pytest.approx(1 / 9)]]             # 1 pixel inside a 3 x 3 (inclusive) box
    # mutants: disjoint boxes overlap by one pixel (clamp at 1), or an empty match scores 0
    far = torch.zeros(1, 8, 8)
    far[0, 6:8, 6:8] = 1.0
    assert metrics.iou_curve(far, T([[0.0, 0.0, 2.0, 2.0]]), [0.5], convention="wsolevaluation").tolist() == [[0.0]]
    assert metrics.iou_curve(empty, T([[0.0, 0.0, 0.0, 0.0]]), [0.5], convention="wsolevaluation").tolist() == [[1.0]]
    # mutants: the bottom border clipped to H + 1 or H - 2
    bottom = torch.zeros(1, 16, 16)
    bottom[0, 6:16, 2:12] = 1.0
    curve = metrics.iou_curve(bottom, T([[2.0, 6.0, 12.0, 16.0]]), [0.5], convention="wsolevaluation")
    assert curve.tolist() == [[pytest.approx(110 / 121)]]


def test_the_wsolevaluation_convention_says_how_to_install_opencv(monkeypatch):
    # mutants: the install hint changed
    import sys
    monkeypatch.setitem(sys.modules, "cv2", None)
    with pytest.raises(ImportError) as caught:
        metrics.iou_curve(torch.zeros(1, 4, 4), T([[0.0, 0.0, 1.0, 1.0]]), [0.5], convention="wsolevaluation")
    assert str(caught.value) == ("convention='wsolevaluation' calls OpenCV, as the reference code does: "
                                 "pip install opencv-python-headless")


def test_pixel_precision_with_a_single_pixel_above_the_threshold():
    # mutant: "predicted > 1" (one predicted pixel gets precision 1 whatever it is)
    maps = T([[[0.9, 0.1, 0.1]]])
    masks = T([[[False, True, True]]])
    precision, recall = metrics.pixel_precision_recall(maps, masks, [0.0, 0.5])
    assert precision.tolist() == [pytest.approx(2 / 3), 0.0] and recall.tolist() == [1.0, 0.0]


def test_pixel_metrics_say_why_an_empty_mask_is_refused():
    # mutants: the message changed
    with pytest.raises(ValueError) as caught:
        metrics.pixel_precision_recall(torch.zeros(1, 2, 2), torch.zeros(1, 2, 2, dtype=torch.bool))
    assert str(caught.value) == ("masks: expected at least one foreground pixel that is not ignored, got none "
                                 "(recall is undefined)")


def test_pxap_and_wsol_scores_use_the_thresholds_given():
    # mutants: thresholds not passed on (the default 100 would give another value)
    maps = T([[[0.9, 0.6, 0.3, 0.1]]])
    masks = T([[[True, False, True, False]]])
    gt = T([[0.0, 0.0, 1.0, 1.0]])
    taus = [0.0, 0.5]
    # at 0.0 all four pixels: precision 1/2, recall 1; at 0.5 two: precision 1/2, recall 1/2
    assert metrics.pixel_average_precision(maps, masks, taus) == pytest.approx(0.5)
    assert metrics.pixel_average_precision(maps, masks) != pytest.approx(0.5)
    scores = metrics.wsol_scores(maps, gt, masks, taus)
    v2 = metrics.max_box_accuracy_v2(maps, gt, taus)
    assert scores.pxap == pytest.approx(0.5) and scores.max_box_acc_v2 == v2.value
    assert scores.boxes.thresholds.tolist() == taus and torch.equal(scores.boxes.curve, v2.curve)


def test_segmentation_labels_at_the_edges_of_their_ranges():
    target = T([[[0, 1, 1, 0]]])
    # mutant: a label equal to num_classes accepted
    with pytest.raises(ValueError, match=r"^predicted: expected class indices in \[0, 1\] or 255 \(ignored\), got the value 2"):
        metrics.mean_iou(T([[[0, 1, 2, 0]]]), target, 2)
    # mutants: ignore_index 0 accepted; ignore_index == num_classes refused
    with pytest.raises(ValueError, match="^ignore_index: expected a value that is not a label in"):
        metrics.mean_iou(target, target, 2, ignore_index=0)
    assert metrics.mean_iou(T([[[0, 1, 2, 2]]]), T([[[0, 1, 1, 2]]]), 2, ignore_index=2) == pytest.approx(0.75)
    # mutant: ignore_index not passed on to the confusion matrix
    assert metrics.mean_iou(T([[[0, 1, 9, 0]]]), T([[[0, 1, 9, 9]]]), 2, ignore_index=9) == 1.0
    # mutants: NaN when no pixel is counted
    assert math.isnan(metrics.mean_iou(T([[[255]]]), T([[[255]]]), 2))


def test_iou_per_class_with_a_union_of_one_pixel_and_negative_misses():
    # mutants: "union > 1", "clamp(min=2)"
    assert metrics.iou_per_class(T([[1, 0], [0, 0]])).tolist()[0] == 1.0
    # mutant: negative misses accepted
    with pytest.raises(ValueError, match="^missed: expected pixel counts >= 0, got a negative entry$"):
        metrics.iou_per_class(T([[1, 0], [0, 1]]), T([0, -1]))


def test_class_indices_equal_to_the_number_of_classes_are_refused():
    # mutant: "chosen > num_classes"
    with pytest.raises(ValueError, match=r"^classes: expected class indices in \[0, 2\]"):
        cam.compute_cams(tiny_model(), torch.rand(1, 3, 64, 64), classes=T([3]))


def test_normalize_defaults_to_min_max():
    # mutants: the default method misspelled
    maps = torch.rand(2, 4, 4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(cam.normalize(maps), cam.normalize(maps, "minmax"))


def test_cam_identity_holds_for_a_classifier_without_bias():
    # mutants: the bias read when there is none; the zero bias shaped from a second image
    model = tiny_model()
    model.classifier = nn.Linear(model.classifier.in_features, 3, bias=False)
    assert cam.cam_identity_gap(model, torch.rand(1, 3, 64, 64)) < 1e-5


def test_cam_identity_is_exact_at_feature_resolution():
    # mutant: the maps upsampled to the image first. From 7 x 7 to 60 x 60 (not a whole factor)
    # bilinear upsampling moves a map's mean, by about 1e-5 of the logits here; float32 rounding
    # leaves the identity within about 1e-7 of them.
    model = tiny_model()
    images = torch.rand(2, 3, 60, 60, generator=torch.Generator().manual_seed(1))
    logits = model(images).detach()
    assert cam.cam_identity_gap(model, images) <= 1e-6 * float(logits.abs().max())


def test_gradcam_identity_on_images_that_are_not_square():
    # mutants: Z computed from one side twice
    model = tiny_model()
    images = torch.rand(2, 3, 64, 32, generator=torch.Generator().manual_seed(2))
    assert gradcam.gradcam_identity_gap(model, images, T([0, 1])) < 1e-6


def test_combine_defaults_and_the_gradcam_plus_plus_denominator():
    g = torch.Generator().manual_seed(3)
    a, grad = torch.rand(2, 3, 4, 4, generator=g), torch.randn(2, 3, 4, 4, generator=g)
    # mutants: the default method misspelled
    assert torch.equal(gradcam.combine(a, grad), gradcam.combine(a, grad, "gradcam"))
    # a denominator of exactly 1: g = 0.5, sum A = 4: 2 g^2 + g^3 4 = 1, a = g^2 = 0.25, alpha = 4 a g = 0.5
    ones = torch.ones(1, 1, 2, 2)
    assert gradcam.combine(ones, 0.5 * ones, "gradcam++").tolist() == [[[0.5, 0.5], [0.5, 0.5]]]
    # a denominator of exactly 0 (sum A = -4, g = 0.5): a is 0, not 1 (documented), so the map is 0
    mixed = T([[[[1.0, -1.0], [-2.0, -2.0]]]])
    assert gradcam.combine(mixed, 0.5 * ones, "gradcam++").tolist() == [[[0.0, 0.0], [0.0, 0.0]]]


def test_gradient_cams_in_small_batches_and_layer_cam_is_layer_cam():
    model = tiny_model()
    images = torch.rand(5, 3, 64, 64, generator=torch.Generator().manual_seed(4))
    classes = T([0, 1, 2, 0, 1])
    # mutant: every batch given all the classes
    one = gradcam.gradient_cams(model, images, classes=classes, batch_size=2)[1]
    torch.testing.assert_close(one, gradcam.gradient_cams(model, images, classes=classes)[1])
    # mutant: layer_cam computing Grad-CAM
    layer = gradcam.layer_cam(model, images, classes=classes)[1]
    torch.testing.assert_close(layer, gradcam.gradient_cams(model, images, classes=classes, method="layercam")[1])
    assert not torch.allclose(layer, gradcam.grad_cam(model, images, classes=classes)[1])


def test_gradients_need_a_layer_with_one_4d_output():
    images = torch.rand(1, 3, 64, 64)

    class NoBody(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 2, 3)

        def forward(self, x):
            return self.conv(x).mean((2, 3))

    # mutants: getattr without a default; the message changed
    with pytest.raises(ValueError) as caught:
        gradcam.score_gradients(NoBody(), images)
    assert str(caught.value) == ("layer: the model has no .body module (the last convolutional features of "
                                 "wsl_lib's models); pass the layer whose activations to use")

    class Pair(nn.Module):
        def forward(self, x):
            return (x,)

    class TupleBody(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = Pair()
            self.head = nn.Linear(3, 2)

        def forward(self, x):
            return self.head(self.body(x)[0].mean((2, 3)))

    # mutants: "and" for "or" in the test of the layer's output
    with pytest.raises(ValueError, match=r"^layer: expected .*\(N, K, h, w\) activations"):
        gradcam.score_gradients(TupleBody(), images)
    model = tiny_model()
    with pytest.raises(ValueError, match=r"^layer: expected .*\(N, K, h, w\) activations"):
        gradcam.score_gradients(model, images, layer=model.classifier)


def test_boxes_to_masks_on_fractional_corners():
    # mutants: ">" for ">=" and "<=" for "<" at the box's edges: a centre on the left or top edge
    # is inside, on the right or bottom edge outside
    masks = boxes.boxes_to_masks(T([[0.5, 0.5, 1.5, 1.5]]), (3, 3))
    assert masks[0].nonzero().tolist() == [[0, 0]]


def test_box_iou_and_coverage_of_boxes_smaller_than_a_pixel():
    # mutants: a union, an area or a ground-truth area below 1 clamped to 1 (or "> 1")
    quarter = T([[0.0, 0.0, 0.5, 0.5]])
    assert boxes.paired_box_iou(quarter, quarter).tolist() == [1.0]
    inside, covered = boxes.box_coverage(quarter, quarter)
    assert inside.tolist() == [1.0] and covered.tolist() == [1.0]
    pixel = T([[0.0, 0.0, 1.0, 1.0]])
    inside, covered = boxes.box_coverage(pixel, pixel)
    assert inside.tolist() == [1.0] and covered.tolist() == [1.0]


def test_an_iou_at_a_level_counts_whatever_the_levels_dtype():
    # mutants: the IoU levels kept in float64 (float32's IoU 7/10 is 0.69999999, below float64's 0.7)
    maps = torch.zeros(1, 1, 10)
    maps[0, 0, 0:7] = 1.0
    gt = T([[0.0, 0.0, 10.0, 1.0]])
    for levels in ((0.7,), torch.tensor([0.7], dtype=torch.float64)):
        assert metrics.max_box_accuracy(maps, gt, [0.5], iou_thresholds=levels).value == 1.0
