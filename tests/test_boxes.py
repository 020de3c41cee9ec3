"""wsl_lib.boxes: masks to boxes and back, box IoU, coverage and part boxes."""

import pytest
import torch
import torchvision.ops as ops

from wsl_lib import metrics
from wsl_lib.boxes import best_iou, box_coverage, boxes_to_masks, masks_to_boxes, paired_box_iou, part_boxes


def test_masks_to_boxes_pixel_edges_and_empty():
    masks = torch.zeros(3, 8, 8, dtype=torch.bool)
    masks[0, 2:5, 1:3] = True
    masks[2, 7, 7] = True
    assert masks_to_boxes(masks).tolist() == [[1, 2, 3, 5], [0, 0, 0, 0], [7, 7, 8, 8]]


def test_box_iou_matches_torchvision_and_handles_empty():
    torch.manual_seed(0)
    xy = torch.rand(20, 2) * 10
    a = torch.cat([xy, xy + torch.rand(20, 2) * 10], 1)
    xy = torch.rand(20, 2) * 10
    b = torch.cat([xy, xy + torch.rand(20, 2) * 10], 1)
    torch.testing.assert_close(paired_box_iou(a, b), ops.box_iou(a, b).diagonal())
    assert paired_box_iou(torch.zeros(1, 4), torch.zeros(1, 4)).item() == 0
    assert paired_box_iou(torch.tensor([[0.0, 0, 2, 2]]), torch.tensor([[0.0, 0, 2, 2]])).item() == 1


def test_best_iou_over_several_ground_truth_boxes():
    pred = torch.tensor([[0.0, 0, 2, 2]])
    gt = torch.tensor([[[5.0, 5, 6, 6], [0.0, 0, 2, 4]]])
    assert best_iou(pred, gt).item() == pytest.approx(0.5)


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
