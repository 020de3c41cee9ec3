import math

import pytest
import torch

from wsl_lib import data, metrics, models
from wsl_lib import segment as seg


def _cams():
    cams = torch.zeros(2, 3, 4, 4)
    cams[0, 1, 0, 0] = 2.0          # image 0, class 1: peak at (0, 0)
    cams[0, 1, 0, 1] = 1.0          # half of the peak
    cams[0, 2] = 5.0                # class 2 is not in image 0: ignored
    cams[1, 0] = -1.0               # image 1, class 0: nothing positive
    return cams, torch.tensor([1, 0])


def test_cam_pseudo_masks_constant_background():
    cams, labels = _cams()
    masks = seg.cam_pseudo_masks(cams, labels, background=0.4)
    assert masks.dtype == torch.int64 and masks.shape == (2, 4, 4)
    expected = torch.zeros(2, 4, 4, dtype=torch.long)
    expected[0, 0, 0] = expected[0, 0, 1] = 2                 # label c + 1
    assert torch.equal(masks, expected)                       # image 1 (no positive CAM): all background
    masks = seg.cam_pseudo_masks(cams, labels, background=0.5)
    assert masks[0, 0, 1] == 0                                # a tie goes to the background


def test_cam_pseudo_masks_alpha_background_and_multi_hot():
    cams, _ = _cams()
    labels = torch.tensor([[0.0, 1, 0], [1, 0, 0]])
    scores = seg.cam_label_scores(cams, labels, alpha=2.0)
    assert scores.shape == (2, 4, 4, 4)
    assert scores[0, 0, 0, 1].item() == pytest.approx(0.25)   # (1 - 0.5) ** 2
    assert scores[1, 0].eq(1).all()                           # nothing positive: background score 1
    masks = scores.argmax(1)
    assert masks[0, 0, 0] == 2 and masks[0, 0, 1] == 2 and masks[0, 1, 1] == 0
    # one class: the alpha form is a threshold t with t = (1 - t) ** alpha (0.5 for alpha 1)
    assert torch.equal(seg.cam_pseudo_masks(cams, labels, alpha=1.0), seg.cam_pseudo_masks(cams, labels, background=0.5))


def test_cam_pseudo_masks_checks():
    cams, labels = _cams()
    with pytest.raises(ValueError, match="exactly one"):
        seg.cam_label_scores(cams, labels)
    with pytest.raises(ValueError, match="exactly one"):
        seg.cam_label_scores(cams, labels, background=0.1, alpha=2)
    bad = cams.clone()
    bad[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="cams: expected finite values"):
        seg.cam_pseudo_masks(bad, labels, background=0.1)
    with pytest.raises(ValueError, match="labels: expected class indices in \\[0, 2\\]"):
        seg.cam_pseudo_masks(cams, torch.tensor([0, 3]), background=0.1)
    with pytest.raises(ValueError, match="mismatched batch sizes"):
        seg.cam_pseudo_masks(cams, torch.tensor([0]), background=0.1)
    with pytest.raises(ValueError, match="background"):
        seg.cam_pseudo_masks(cams, labels, background=1.5)


def _two_colour_image():
    image = torch.zeros(1, 3, 12, 12)
    image[:, 0, 3:9, 3:9] = 1.0                               # a red square on black
    truth = torch.zeros(1, 12, 12, dtype=torch.long)
    truth[0, 3:9, 3:9] = 1
    return image, truth


def test_mean_field_snaps_a_blurry_map_to_the_colour_edges():
    image, truth = _two_colour_image()
    blob = torch.zeros(1, 1, 12, 12)
    blob[0, 0, 2:10, 2:10] = 1.0                              # too large by one pixel all round
    blob[0, 0, 4:8, 4:8] = 2.0
    scores = torch.cat([torch.full_like(blob, 0.8), blob], 1)
    before = metrics.mean_iou(scores.argmax(1), truth, 2)
    q = seg.mean_field_refine(image, scores, iterations=5, weight=3.0, radius=2)
    assert q.shape == scores.shape and torch.allclose(q.sum(1), torch.ones(1, 12, 12))
    assert metrics.mean_iou(q.argmax(1), truth, 2) > before
    assert metrics.mean_iou(q.argmax(1), truth, 2) == 1.0


def test_mean_field_edge_cases():
    image, _ = _two_colour_image()
    # no iteration: the unary probabilities; a label that scores 0 stays at 0; all-zero scores: uniform
    scores = torch.zeros(1, 3, 12, 12)
    scores[0, 0] = 1.0
    scores[0, 1, :6] = 3.0
    q = seg.mean_field_refine(image, scores, iterations=0)
    assert torch.allclose(q[0, :, 0, 0], torch.tensor([0.25, 0.75, 0.0]))
    q = seg.mean_field_refine(image, scores, iterations=3)
    assert q[0, 2].abs().max() < 1e-6
    q = seg.mean_field_refine(image, torch.zeros(1, 2, 12, 12), iterations=2)
    assert torch.allclose(q, torch.full_like(q, 0.5))
    with pytest.raises(ValueError, match="scores: expected non-negative"):
        seg.mean_field_refine(image, -scores)
    with pytest.raises(ValueError, match="scores: expected maps of the images' size"):
        seg.mean_field_refine(image, torch.ones(1, 2, 6, 6))
    with pytest.raises(ValueError, match="images: expected finite"):
        seg.mean_field_refine(image * float("nan"), scores)


def test_box_pseudo_masks_fill_band_empty_and_overlap():
    boxes = torch.tensor([[2.0, 2, 8, 6], [0, 0, 0, 0]])
    masks = seg.box_pseudo_masks(boxes, torch.tensor([1, 4]), (8, 10))
    expected = torch.zeros(2, 8, 10, dtype=torch.long)
    expected[0, 2:6, 2:8] = 2
    assert torch.equal(masks, expected)                       # the empty box labels nothing
    banded = seg.box_pseudo_masks(boxes, torch.tensor([1, 4]), (8, 10), band=0.25)
    assert banded[0, 3:5, 4:6].eq(2).all()                    # the core
    assert banded[0, 2, 2] == 255 and banded[0, 5, 7] == 255 and banded[0, 0, 0] == 0
    # two boxes in one image: the smaller one stays on top
    two = seg.box_pseudo_masks(torch.tensor([[[0.0, 0, 8, 8], [2, 2, 4, 4]]]), torch.tensor([[0, 1]]), (8, 8))
    assert two[0, 3, 3] == 2 and two[0, 0, 0] == 1
    with pytest.raises(ValueError, match="band"):
        seg.box_pseudo_masks(boxes, torch.tensor([1, 4]), (8, 10), band=0.5)
    with pytest.raises(ValueError, match="classes: expected one class per box"):
        seg.box_pseudo_masks(boxes, torch.tensor([1, 4, 0]), (8, 10))
    with pytest.raises(ValueError, match="boxes: expected x2 >= x1"):
        seg.box_pseudo_masks(torch.tensor([[4.0, 0, 2, 2]]), torch.tensor([0]), (8, 8))


def test_box_colour_masks_keep_the_object_inside_its_box():
    image, truth = _two_colour_image()
    image[:, 1, 0:2, :] = 1.0                                 # a green stroke outside the box
    box = torch.tensor([[2.0, 2, 10, 10]])                    # a loose box around the red square
    masks = seg.box_colour_masks(image, box, torch.tensor([0]))
    assert torch.equal(masks, truth)
    # a box whose ring lies outside the image, and an empty box
    full = seg.box_colour_masks(image, torch.tensor([[0.0, 0, 12, 12]]), torch.tensor([0]))
    assert full.shape == (1, 12, 12)
    empty = seg.box_colour_masks(image, torch.tensor([[0.0, 0, 0, 0]]), torch.tensor([0]))
    assert empty.eq(0).all()


def test_segmenter_shapes_training_and_ignore_index():
    model = models.SmallSegmenter(3)
    assert model(torch.rand(2, 3, 32, 32)).shape == (2, 3, 32, 32)
    with pytest.raises(ValueError, match="widths"):
        models.SmallSegmenter(3, widths=(4, 4))
    images, truth = _two_colour_image()
    images = images.expand(8, -1, -1, -1).contiguous()
    truth = truth.expand(8, -1, -1).contiguous()
    masks = truth.clone()
    masks[:, :, :2] = 255
    model = seg.train_segmenter(images, masks, 2, epochs=3, batch_size=4, progress=False, device="cpu")
    assert seg.predict_masks(model, images).shape == (8, 12, 12)
    # the loss averages over the pixels that are not ignored
    outputs = torch.zeros(1, 2, 2, 2, requires_grad=True)
    loss = seg.segmentation_loss(outputs, torch.tensor([[[0, 255], [255, 255]]]))
    assert loss.item() == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="label_maps: expected class indices in \\[0, 1\\]"):
        seg.train_segmenter(images, truth + 2, 2, epochs=1, progress=False)
