import pytest
import torch

from wsl_lib import baselines, metrics
from wsl_lib.boxes import box_coverage, boxes_to_masks, part_boxes


def test_centre_gaussian_is_centred_normalized_and_image_independent():
    g = baselines.centre_gaussian_maps(3, (8, 8))
    assert g.shape == (3, 8, 8) and float(g.min()) == 0.0 and float(g.max()) == 1.0
    assert torch.equal(g[0], g[2]) and torch.equal(g[0], g[0].flip(0)) and torch.equal(g[0], g[0].T)
    # the four centre pixels are the peak
    assert bool((g[0, 3:5, 3:5] == 1).all())
    # thresholding it gives one centred square-ish region: its box is centred
    ious = metrics.iou_curve(g, torch.tensor([[2.0, 2, 6, 6]] * 3), [0.0, 0.5, 0.99])
    assert ious[0, 0] == pytest.approx(16 / 64)


def test_box_maps_hand_worked_and_round_trip():
    maps = boxes_to_masks(torch.tensor([[1.0, 2, 3, 4], [0, 0, 0, 0], [0.6, 0.6, 1.4, 1.4]]), (5, 5)).float()
    expected = torch.zeros(5, 5)
    expected[2:4, 1:3] = 1
    assert torch.equal(maps[0], expected)
    assert torch.equal(maps[1], torch.zeros(5, 5))                       # an empty box: an empty map
    assert maps[2].sum() == 0                                            # holds no pixel centre
    # at any threshold in (0, 1] the box comes back exactly
    gt = torch.tensor([[1.0, 2, 3, 4]] * 3)
    assert metrics.iou_curve(maps, gt, [0.5, 1.0])[0].tolist() == [1.0, 1.0]


def test_box_coverage_part_whole_and_empty():
    gt = torch.tensor([[0.0, 0, 10, 10]] * 4)
    boxes = torch.tensor([[0.0, 0, 5, 5], [0, 0, 20, 20], [3, 3, 3, 3], [20, 20, 30, 30]])
    inside, covered = box_coverage(boxes, gt)
    assert inside.tolist() == [1.0, 0.25, 0.0, 0.0]
    assert covered.tolist() == [0.25, 1.0, 0.0, 0.0]
    _, covered = box_coverage(boxes[:1], torch.tensor([[4.0, 4, 4, 9]]))
    assert covered.tolist() == [0.0]                                    # empty ground truth


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


def test_part_boxes_at_every_boundary():
    gt = torch.tensor([[10.0, 10.0, 30.0, 30.0]]).repeat(5, 1)
    boxes = torch.tensor([[12.0, 12, 20, 20],   # inside, IoU 0.16: part
                          [10.0, 10, 30, 20],   # IoU exactly 0.5: not a part (strict <)
                          [8.0, 10, 18, 20],    # 80% inside, IoU 0.19: part (inside >= 0.8)
                          [7.0, 10, 17, 20],    # 70% inside: not a part
                          [15.0, 15, 15, 25]])  # empty: lies nowhere, not a part
    assert part_boxes(boxes, gt).tolist() == [True, False, True, False, False]
    assert part_boxes(boxes, gt, inside=0.7).tolist() == [True, False, True, True, False]
    assert part_boxes(boxes, gt, iou_threshold=0.51).tolist() == [True, True, True, False, False]
