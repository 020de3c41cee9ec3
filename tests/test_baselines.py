"""wsl_lib.baselines: the centred box and the centre Gaussian, the baselines a method must beat."""

import pytest
import torch

from wsl_lib import baselines, metrics
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


def test_centre_gaussian_is_centred_normalized_and_image_independent():
    g = baselines.centre_gaussian_maps(3, (8, 8))
    assert g.shape == (3, 8, 8) and float(g.min()) == 0.0 and float(g.max()) == 1.0
    assert torch.equal(g[0], g[2]) and torch.equal(g[0], g[0].flip(0)) and torch.equal(g[0], g[0].T)
    # the four centre pixels are the peak
    assert bool((g[0, 3:5, 3:5] == 1).all())
    # thresholding it gives one centred square-ish region: its box is centred
    ious = metrics.iou_curve(g, torch.tensor([[2.0, 2, 6, 6]] * 3), [0.0, 0.5, 0.99])
    assert ious[0, 0] == pytest.approx(16 / 64)
