import pytest
import torch

from wsl_lib import baselines, localize
from wsl_lib.boxes import paired_box_iou


def test_centred_boxes_mean_size_in_the_middle():
    ref = torch.tensor([[0.0, 0, 10, 20], [5.0, 5, 15, 15]])          # sizes (10, 20) and (10, 10)
    boxes = baselines.centred_boxes(ref, 3, (64, 64))
    assert boxes.shape == (3, 4)
    assert torch.equal(boxes[0], torch.tensor([27.0, 24.5, 37.0, 39.5]))
    assert torch.equal(boxes[0], boxes[2])


def test_centred_boxes_zero_area_and_rectangular_images():
    boxes = baselines.centred_boxes(torch.zeros(2, 4), 1, (32, 64))
    assert torch.equal(boxes, torch.tensor([[32.0, 16.0, 32.0, 16.0]]))
    assert float(paired_box_iou(boxes, torch.tensor([[0.0, 0, 8, 8]]))[0]) == 0.0


@pytest.mark.parametrize("args, words", [((torch.zeros(0, 4), 1, (8, 8)), "reference_boxes"),
                                         ((torch.zeros(2, 4), 0, (8, 8)), "n"),
                                         ((torch.zeros(2, 4), 1, (8,)), "image_size"),
                                         ((torch.zeros(2, 3), 1, (8, 8)), "reference_boxes")])
def test_centred_boxes_checks_arguments(args, words):
    with pytest.raises((ValueError, TypeError), match=words):
        baselines.centred_boxes(*args)


def test_choose_threshold_picks_the_best_and_breaks_ties_first():
    maps = torch.zeros(1, 8, 8)
    maps[0, 2:6, 2:6] = 1.0
    maps[0, 0:8, 0:8] += 0.5                                           # background at half the peak
    gt = torch.tensor([[2.0, 2, 6, 6]])
    best, accs = localize.choose_fraction(maps, gt, [0.2, 0.3, 0.4, 0.9])
    assert accs == [0.0, 0.0, 1.0, 1.0] and best == 0.4


def test_choose_threshold_all_zero_maps_and_bad_candidates():
    best, accs = localize.choose_fraction(torch.zeros(2, 8, 8), torch.tensor([[0.0, 0, 4, 4]] * 2), [0.3, 0.6])
    assert best == 0.3 and accs == [0.0, 0.0]
    with pytest.raises(ValueError, match="fractions"):
        localize.choose_fraction(torch.zeros(1, 8, 8), torch.zeros(1, 4), [])
    with pytest.raises(ValueError, match="fractions"):
        localize.choose_fraction(torch.zeros(1, 8, 8), torch.zeros(1, 4), [0.0])
