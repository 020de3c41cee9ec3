"""wsl_lib.conventions: the label of an unknown pixel, and what "connected" means."""

import inspect

import numpy as np
import pytest
import torch

from wsl_lib import metrics, segment
from wsl_lib.boxes import mask_components
from wsl_lib.conventions import EIGHT_CONNECTED, IGNORE_INDEX
from wsl_lib.data import DIGIT_CLASSES, SHAPE_CLASSES


def test_ignore_index_is_no_class_of_either_dataset_and_is_what_mean_iou_ignores():
    # label maps use 0 for the background and c + 1 for class c: 0..len(classes)
    for classes in (SHAPE_CLASSES, DIGIT_CLASSES):
        assert IGNORE_INDEX not in range(len(classes) + 1)
    assert inspect.signature(metrics.mean_iou).parameters["ignore_index"].default == IGNORE_INDEX
    assert inspect.signature(metrics.confusion_matrix).parameters["ignore_index"].default == IGNORE_INDEX
    # a target pixel labelled IGNORE_INDEX is left out: the one labelled pixel, predicted right, gives 1
    target = torch.tensor([[[1, IGNORE_INDEX]]])
    assert metrics.mean_iou(torch.tensor([[[1, 0]]]), target, 2) == 1.0
    # and the segmentation loss skips it too: only the labelled pixel counts
    outputs = torch.zeros(1, 2, 1, 2)
    assert segment.segmentation_loss(outputs, target).item() == pytest.approx(np.log(2))


def test_eight_connected_joins_diagonal_pixels():
    assert EIGHT_CONNECTED.shape == (3, 3) and EIGHT_CONNECTED.dtype == bool and EIGHT_CONNECTED.all()
    assert not EIGHT_CONNECTED.flags.writeable
    diagonal = np.zeros((3, 3), dtype=bool)
    diagonal[0, 0] = diagonal[1, 1] = True
    labels, boxes, largest = mask_components(diagonal)
    assert labels.max() == 1 and boxes == [(0, 0, 2, 2)] and largest == 1
