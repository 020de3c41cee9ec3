import math

import numpy as np
import pytest
import scipy.ndimage as ndi
import torch
from sklearn.metrics import average_precision_score
from sklearn.metrics import confusion_matrix as sk_confusion_matrix
from sklearn.metrics import jaccard_score

from wsl_lib import metrics
from wsl_lib.boxes import boxes_to_masks, paired_box_iou


def _slow_iou_curve(maps, gt, thresholds, components):
    """One scipy label call per image and threshold, as common evaluation code does."""
    out = torch.zeros(len(maps), len(thresholds))
    for i, m in enumerate(maps.numpy()):
        for t, tau in enumerate(thresholds.tolist()):
            labels, n = ndi.label(m >= tau, structure=np.ones((3, 3)))
            if n == 0:
                continue
            sizes = np.bincount(labels.ravel())[1:]
            ids = [int(sizes.argmax()) + 1] if components == "largest" else range(1, n + 1)
            for j in ids:
                ys, xs = np.nonzero(labels == j)
                box = torch.tensor([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], dtype=torch.float32)
                for g in gt[i].reshape(-1, 4):
                    out[i, t] = max(out[i, t], paired_box_iou(box, g[None]).item())
    return out


@pytest.mark.parametrize("components", ["largest", "all"])
def test_fast_sweep_equals_slow_loop(components):
    torch.manual_seed(0)
    small = torch.rand(12, 1, 4, 4)
    maps = torch.nn.functional.interpolate(small, size=(24, 24), mode="bilinear")[:, 0]
    maps = (maps - maps.amin((1, 2), keepdim=True)) / (maps.amax((1, 2), keepdim=True) - maps.amin((1, 2), keepdim=True))
    xy = torch.randint(0, 12, (12, 2)).float()
    gt = torch.cat([xy, xy + torch.randint(2, 12, (12, 2)).float()], 1)
    thresholds = metrics.default_thresholds(0.05)
    fast = metrics.iou_curve(maps, gt, thresholds, components=components)
    torch.testing.assert_close(fast, _slow_iou_curve(maps, gt, thresholds, components=components))


def test_max_box_accuracy_hand_worked():
    # two 10x10 maps with one square blob; ground truth is the blob's box
    maps = torch.zeros(2, 10, 10)
    maps[0, 2:6, 2:6] = 1.0
    maps[1, 0:10, 0:10] = 0.5
    maps[1, 4:6, 4:6] = 1.0
    gt = torch.tensor([[2.0, 2, 6, 6], [4.0, 4, 6, 6]])
    result = metrics.max_box_accuracy(maps, gt, thresholds=[0.0, 0.25, 0.75])
    # tau=0: both boxes are the whole image (IoU 0.16 and 0.04); tau=0.25: image 0 right, image 1 whole image;
    # tau=0.75: both right
    assert result.curve[:, 0].tolist() == [0.0, 0.5, 1.0]
    assert result.value == 1.0 and result.best_threshold == {0.5: 0.75}
    v2 = metrics.max_box_accuracy_v2(maps, gt, thresholds=[0.0, 0.25, 0.75])
    assert v2.value == 1.0 and set(v2.per_iou) == {0.3, 0.5, 0.7}


def test_all_components_can_beat_the_largest():
    maps = torch.zeros(1, 10, 10)
    maps[0, 0:5, 0:5] = 1.0          # big distractor
    maps[0, 7:9, 7:9] = 1.0          # the object
    gt = torch.tensor([[7.0, 7, 9, 9]])
    assert metrics.box_accuracy(maps, gt, 0.5, components="largest") == 0.0
    assert metrics.box_accuracy(maps, gt, 0.5, components="all") == 1.0


def test_constant_map_scores_zero_above_zero_threshold():
    maps = torch.zeros(1, 8, 8)
    gt = torch.tensor([[0.0, 0, 4, 4]])
    ious = metrics.iou_curve(maps, gt, [0.0, 0.5])
    assert ious[0, 0] == pytest.approx(16 / 64) and ious[0, 1] == 0


def test_pxap_equals_sklearn_on_grid_valued_maps():
    torch.manual_seed(0)
    thresholds = metrics.default_thresholds(0.05)
    maps = thresholds[torch.randint(len(thresholds), (5, 9, 9))].float()
    masks = torch.rand(5, 9, 9) < maps
    ours = metrics.pixel_average_precision(maps, masks, thresholds)
    ref = average_precision_score(masks.flatten().numpy(), maps.flatten().numpy())
    assert ours == pytest.approx(ref, abs=1e-9)


def test_pxap_hand_worked_and_edge_cases():
    maps = torch.tensor([[[0.9, 0.8], [0.2, 0.1]]])
    masks = torch.tensor([[[True, False], [True, False]]])
    # descending scores: T F T F -> precision at each recall step: 1 (r .5), 2/3 (r 1) -> AP = .5 + .5 * 2/3
    assert metrics.pixel_average_precision(maps, masks, [0.1, 0.2, 0.8, 0.9]) == pytest.approx(0.5 + 1 / 3)
    precision, recall = metrics.pixel_precision_recall(torch.zeros(1, 2, 2), masks, [0.0, 0.5])
    assert precision.tolist() == [0.5, 1.0] and recall.tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="masks: expected at least one foreground pixel"):
        metrics.pixel_average_precision(maps, torch.zeros_like(masks))


def test_wsol_scores_on_a_perfect_map_and_a_constant_map():
    masks = torch.zeros(2, 8, 8, dtype=torch.bool)
    masks[:, 2:5, 3:7] = True
    gt = torch.tensor([[3.0, 2, 7, 5]] * 2)
    perfect = metrics.wsol_scores(masks.float(), gt, masks)
    assert perfect.max_box_acc_v2 == 1.0 and perfect.pxap == pytest.approx(1.0)
    # a constant map (all zeros after min-max normalization): the whole image at tau = 0, nothing above
    flat = metrics.wsol_scores(torch.zeros(2, 8, 8), gt, masks)
    assert flat.max_box_acc_v2 == 0.0                                  # whole-image IoU 12/64 < 0.3
    assert flat.pxap == pytest.approx(12 / 64)                         # precision = foreground fraction


def test_empty_mask_and_nan_map_are_refused():
    gt = torch.tensor([[0.0, 0, 4, 4]])
    with pytest.raises(ValueError, match="masks: expected at least one foreground pixel"):
        metrics.wsol_scores(torch.rand(1, 8, 8), gt, torch.zeros(1, 8, 8, dtype=torch.bool))
    nan_map = torch.rand(1, 8, 8)
    nan_map[0, 3, 3] = float("nan")
    with pytest.raises(ValueError, match="maps: expected finite"):
        metrics.wsol_scores(nan_map, gt, torch.ones(1, 8, 8, dtype=torch.bool))
    with pytest.raises(ValueError, match="maps: expected finite"):
        metrics.pixel_average_precision(nan_map, torch.ones(1, 8, 8, dtype=torch.bool))


def test_box_accuracy_of_an_empty_box_map_is_zero():
    maps = boxes_to_masks(torch.zeros(1, 4), (8, 8)).float()
    assert metrics.box_accuracy(maps, torch.tensor([[0.0, 0, 4, 4]]), 0.5) == 0.0


# --------------------------------------------------------------------------- per-pixel labels: mean IoU

def test_mean_iou_hand_worked_example():
    # one 2x3 image; labels 0 (background), 1, 2
    target = torch.tensor([[[0, 0, 1], [0, 2, 2]]])
    predicted = torch.tensor([[[0, 1, 1], [0, 0, 2]]])
    cm = metrics.confusion_matrix(predicted, target, 3)
    # rows: truth, columns: prediction
    assert cm.tolist() == [[2, 1, 0], [0, 1, 0], [1, 0, 1]]
    # IoU: background 2 / (3 + 3 - 2) = 1/2, class 1: 1 / (1 + 2 - 1) = 1/2, class 2: 1 / (2 + 1 - 1) = 1/2
    assert metrics.iou_per_class(cm).tolist() == [0.5, 0.5, 0.5]
    assert metrics.mean_iou(predicted, target, 3) == pytest.approx(0.5)


def test_against_sklearn():
    g = torch.Generator().manual_seed(0)
    target = torch.randint(0, 5, (3, 8, 8), generator=g)
    predicted = torch.randint(0, 5, (3, 8, 8), generator=g)
    cm = metrics.confusion_matrix(predicted, target, 5)
    assert np.array_equal(cm.numpy(), sk_confusion_matrix(target.flatten(), predicted.flatten(), labels=range(5)))
    expected = jaccard_score(target.flatten(), predicted.flatten(), average=None, labels=range(5))
    assert np.allclose(metrics.iou_per_class(cm).numpy(), expected)
    assert metrics.mean_iou(predicted, target, 5) == pytest.approx(expected.mean())


def test_class_absent_is_left_out_and_no_foreground():
    # an image with no foreground, predicted perfectly: only the background counts, IoU 1
    target = torch.zeros(1, 4, 4, dtype=torch.long)
    assert math.isnan(metrics.iou_per_class(metrics.confusion_matrix(target, target, 3))[1])
    assert metrics.mean_iou(target, target, 3) == 1.0
    # a class predicted but absent from the truth counts, with IoU 0
    predicted = target.clone()
    predicted[0, 0, 0] = 2
    iou = metrics.iou_per_class(metrics.confusion_matrix(predicted, target, 3))
    assert iou[2] == 0 and math.isnan(iou[1])
    assert metrics.mean_iou(predicted, target, 3) == pytest.approx((15 / 16 + 0) / 2)


def test_ignore_index_and_all_ignored():
    target = torch.tensor([[[0, 1], [255, 1]]])
    predicted = torch.tensor([[[0, 1], [1, 255]]])
    assert metrics.confusion_matrix(predicted, target, 2).tolist() == [[1, 0], [0, 1]]
    # the pixel predicted 255 (no label) is a miss of its true label 1: IoU 1/2 for label 1
    assert metrics.mean_iou(predicted, target, 2) == (1.0 + 0.5) / 2
    assert metrics.mean_iou(predicted, target, 2, unlabelled="skip") == 1.0
    everything = torch.full((1, 2, 2), 255)
    assert metrics.mean_iou(everything, target, 2) == 0.0                     # every pixel missed
    assert math.isnan(metrics.mean_iou(everything, target, 2, unlabelled="skip"))   # nothing counted


def test_metric_checks_arguments():
    t = torch.zeros(1, 2, 2, dtype=torch.long)
    with pytest.raises(ValueError, match="predicted: expected class indices in \\[0, 1\\]"):
        metrics.confusion_matrix(t + 3, t, 2)
    with pytest.raises(TypeError, match="target: expected an integer tensor"):
        metrics.confusion_matrix(t, t.float(), 2)
    with pytest.raises(ValueError, match="predicted: expected the shape of target"):
        metrics.confusion_matrix(torch.zeros(1, 2, 3, dtype=torch.long), t, 2)
    with pytest.raises(ValueError, match="num_classes"):
        metrics.confusion_matrix(t, t, 0)
    with pytest.raises(ValueError, match="confusion: expected a square matrix"):
        metrics.iou_per_class(torch.zeros(2, 3, dtype=torch.long))
