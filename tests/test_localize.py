import pytest
import torch

from wsl_lib import localize
from wsl_lib.boxes import best_iou, paired_box_iou, masks_to_boxes


def test_largest_component_eight_connected_and_ties():
    m = torch.zeros(1, 6, 6, dtype=torch.bool)
    m[0, 0, 0] = m[0, 1, 1] = m[0, 2, 2] = True        # diagonal: one 8-connected component of 3
    m[0, 4:6, 4:6] = True                               # a 2x2 block of 4
    out = localize.largest_component(m)
    assert out.sum() == 4 and out[0, 4:6, 4:6].all()
    tie = torch.zeros(1, 5, 5, dtype=torch.bool)
    tie[0, 0, 0] = tie[0, 4, 4] = True
    assert localize.largest_component(tie)[0, 0, 0] and localize.largest_component(tie).sum() == 1
    assert not localize.largest_component(torch.zeros(2, 3, 3, dtype=torch.bool)).any()


def test_cam_paper_rule_hand_worked():
    cam = torch.zeros(1, 8, 8)
    cam[0, 1:3, 1:4] = 10.0       # the peak region
    cam[0, 6, 6] = 3.0            # above 20% of 10, but a smaller component
    cam[0, 5, 0] = 1.0            # below 20% of the max
    assert localize.boxes_from_maps(cam, 0.2).tolist() == [[1, 1, 4, 3]]
    # at a threshold of 0.25 the pixel of value 3 still counts, 0.35 drops it (no change to the box)
    assert localize.threshold_maps(cam, 0.25).sum() == 7
    assert localize.threshold_maps(cam, 0.35).sum() == 6


def test_degenerate_maps_give_empty_boxes():
    maps = torch.stack([torch.zeros(5, 5), torch.full((5, 5), 3.0), -torch.rand(5, 5)])
    assert localize.boxes_from_maps(maps).tolist() == [[0, 0, 0, 0]] * 3
    assert paired_box_iou(torch.zeros(1, 4), torch.tensor([[0.0, 0, 2, 2]])).item() == 0


def test_rule_is_invariant_to_positive_scaling_and_negative_offsets_below_threshold():
    torch.manual_seed(0)
    maps = torch.rand(4, 16, 16)
    torch.testing.assert_close(localize.boxes_from_maps(maps), localize.boxes_from_maps(maps * 7.5))


def test_localization_accuracy_hand_worked():
    gt = torch.tensor([[0.0, 0, 4, 4]] * 3)
    boxes = torch.tensor([[0.0, 0, 4, 4], [0.0, 0, 4, 2], [0.0, 0, 4, 1]])   # IoU 1, 0.5, 0.25
    logits = torch.tensor([[5.0, 1, 0], [0.0, 1, 5], [5.0, 0, 0]])
    labels = torch.tensor([0, 1, 0])
    assert localize.localization_accuracy(boxes, gt) == pytest.approx(2 / 3)
    assert localize.localization_accuracy(boxes, gt, logits=logits, labels=labels, k=1) == pytest.approx(1 / 3)
    assert localize.localization_accuracy(boxes, gt, logits=logits, labels=labels, k=2) == pytest.approx(2 / 3)


# --- chapter 4: the released code's rule and the failure finder ---

def test_candidate_boxes_hand_worked():
    cam = torch.zeros(2, 8, 8)
    cam[0, 1:3, 1:4] = 10.0                 # the peak region: kept at every threshold
    cam[0, 6, 6] = 3.0                      # above 20/255 and below 100/255 of the max
    cam[0, 6, 0] = 0.5                      # below 20/255 * 10 = 0.78
    cand = localize.candidate_boxes(cam)
    # threshold 20/255: two components; 100/255 and 110/255: the peak region only; image 1 is empty
    assert cand.shape == (2, 4, 4)
    assert cand[0].tolist() == [[1, 1, 4, 3], [6, 6, 7, 7], [1, 1, 4, 3], [1, 1, 4, 3]]
    assert cand[1].tolist() == [[0, 0, 0, 0]] * 4
    gt = torch.tensor([[6.0, 6, 7, 7], [0.0, 0, 2, 2]])
    assert best_iou(gt, cand).tolist() == [1.0, 0.0]
    # one threshold reproduces the components of the text rule's region
    one = localize.candidate_boxes(cam[:1], fractions=(0.2,))
    assert one.tolist() == [[[1, 1, 4, 3], [6, 6, 7, 7]]]


def test_candidate_boxes_degenerate_maps_and_bad_input():
    maps = torch.stack([torch.zeros(5, 5), torch.full((5, 5), 3.0), -torch.rand(5, 5)])
    assert localize.candidate_boxes(maps).tolist() == [[[0, 0, 0, 0]]] * 3
    with pytest.raises(ValueError, match="fractions"):
        localize.candidate_boxes(maps, fractions=())
    with pytest.raises(ValueError, match="fractions: expected a value in"):
        localize.candidate_boxes(maps, fractions=(0.2, 1.5))
    with pytest.raises(ValueError, match="maps: expected finite values"):
        localize.candidate_boxes(torch.full((1, 3, 3), float("nan")))


def test_failure_kinds_hand_worked():
    gt = torch.tensor([[10.0, 10, 20, 20]] * 6)
    boxes = torch.tensor([[10.0, 10, 20, 20],      # correct
                          [12.0, 12, 16, 16],      # part only: inside, IoU 0.16
                          [0.0, 0, 30, 30],        # too large: contains the object, IoU 0.11
                          [10.0, 10, 20, 20],      # good box, wrong class
                          [40.0, 40, 50, 50],      # elsewhere
                          [0.0, 0, 0, 0]])         # empty
    labels = torch.zeros(6, dtype=torch.long)
    logits = torch.tensor([[1.0, 0]] * 6)
    logits[3] = torch.tensor([0.0, 1])
    codes = localize.failure_kinds(boxes, gt, logits=logits, labels=labels)
    assert [localize.FAILURE_KINDS[c] for c in codes] == [
        "correct", "part only", "too large", "wrong class, right place", "missed", "missed"]
    # a wrong class whose own (predicted) box is right, while the true class's box is elsewhere
    logits[4] = torch.tensor([0.0, 1])
    predicted = boxes.clone()
    predicted[4] = gt[4]
    codes = localize.failure_kinds(boxes, gt, logits=logits, labels=labels, predicted_boxes=predicted)
    assert localize.FAILURE_KINDS[codes[4]] == "wrong class, right place"
    # without the predicted box it is only a miss
    assert localize.FAILURE_KINDS[localize.failure_kinds(boxes, gt, logits=logits, labels=labels)[4]] == "missed"


def test_failure_kinds_bad_input():
    gt, logits, labels = torch.zeros(2, 4), torch.rand(2, 3), torch.zeros(2, dtype=torch.long)
    with pytest.raises(ValueError, match="mismatched batch sizes"):
        localize.failure_kinds(torch.zeros(3, 4), gt, logits=logits, labels=labels)
    with pytest.raises(TypeError, match="labels: expected an integer tensor"):
        localize.failure_kinds(gt, gt, logits=logits, labels=labels.float())
    with pytest.raises(ValueError, match="inside"):
        localize.failure_kinds(gt, gt, logits=logits, labels=labels, inside=0)
    with pytest.raises(ValueError, match="predicted_boxes: expected x2 >= x1"):
        localize.failure_kinds(gt, gt, logits=logits, labels=labels, predicted_boxes=torch.tensor([[2.0, 0, 1, 1]] * 2))


def test_pipeline_from_a_model_step_by_step():
    # the CAM paper's procedure on a network's maps: upsample, threshold, largest component, box
    from wsl_lib import cam
    from wsl_lib.models import SmallCNN
    torch.manual_seed(0)
    model = SmallCNN(3).eval()
    images = torch.rand(4, 3, 32, 32)
    _, small = cam.compute_cams(model, images, classes=torch.tensor([0, 1, 2, 0]), size=None)   # (4, 4, 4)
    maps = cam.upsample(small, (32, 32))
    region = localize.threshold_maps(maps, 0.3)
    boxes = masks_to_boxes(localize.largest_component(region))
    assert torch.equal(boxes, localize.boxes_from_maps(maps, 0.3))
    # each box lies inside the image and contains its region's largest component
    assert bool((boxes >= 0).all() and (boxes <= 32).all())
    cand = localize.candidate_boxes(maps, fractions=(0.3,))
    assert bool((best_iou(boxes, cand) == 1).all())      # the text rule's box is one of the candidates

# --- choosing the threshold fraction on held-out boxes ---


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
