import pytest
import torch

from wsl_lib import exercises
from wsl_lib.exercises import ExerciseError


@pytest.fixture
def top1_inputs():
    gt = torch.tensor([[0.0, 0, 4, 4]] * 3)
    boxes = torch.tensor([[0.0, 0, 4, 4], [0.0, 0, 4, 4], [0.0, 0, 1, 1]])
    logits = torch.tensor([[5.0, 0], [0.0, 5], [5.0, 0]])
    return dict(boxes=boxes, gt_boxes=gt, logits=logits, labels=torch.tensor([0, 0, 0]))


def test_right_answer_passes(top1_inputs, capsys):
    exercises.grade_top1_localization(1 / 3, **top1_inputs)
    assert capsys.readouterr().out.startswith("exercise passed: ")


def test_gt_known_answer_gets_a_specific_hint(top1_inputs):
    with pytest.raises(ExerciseError, match="that is the GT-known accuracy"):
        exercises.grade_top1_localization(2 / 3, **top1_inputs)


@pytest.mark.parametrize("answer, words", [(0.5, "expected 0.3333, got 0.5000"), ("a third", "expected a finite number"),
                                           (float("nan"), "finite")])
def test_wrong_answers_say_what_is_wrong(top1_inputs, answer, words):
    with pytest.raises(ExerciseError, match=words):
        exercises.grade_top1_localization(answer, **top1_inputs)


def test_expect_tensor_messages():
    exercises.expect_tensor("x", torch.ones(2, 2), torch.ones(2, 2))
    with pytest.raises(ExerciseError, match=r"expected shape \(2, 2\), got \(4,\)"):
        exercises.expect_tensor("x", torch.ones(4), torch.ones(2, 2))
    with pytest.raises(ExerciseError, match=r"differs from the reference at index \(1, 0\)"):
        exercises.expect_tensor("x", torch.tensor([[1.0, 1], [2, 1]]), torch.ones(2, 2))
    with pytest.raises(ExerciseError, match="expected a torch.Tensor"):
        exercises.expect_tensor("x", [[1, 1]], torch.ones(1, 2))


# --- chapter 3 ---

def test_grade_cams():
    torch.manual_seed(0)
    f, w = torch.rand(2, 3, 4, 4), torch.randn(5, 3)
    exercises.grade_cams(torch.einsum("nkhw,ck->nchw", f, w), features=f, weight=w)
    with pytest.raises(ExerciseError, match="are the two first dimensions swapped"):
        exercises.grade_cams(torch.einsum("nkhw,ck->cnhw", f, w), features=f, weight=w)
    with pytest.raises(ExerciseError, match="one map per image"):
        exercises.grade_cams(torch.rand(2, 4, 4), features=f, weight=w)
    with pytest.raises(ExerciseError, match="differs from the reference"):
        exercises.grade_cams(torch.einsum("nkhw,ck->nchw", f, w) + 1, features=f, weight=w)
    with pytest.raises(ExerciseError, match="expected a torch.Tensor"):
        exercises.grade_cams(None, features=f, weight=w)


# --- chapter 4 ---

@pytest.fixture
def threshold_inputs():
    # one map, a peak block of 10 inside a plateau of 4: above 0.5 of the max only the block is kept
    maps = torch.zeros(1, 10, 10)
    maps[0, 2:8, 2:8] = 4.0
    maps[0, 4:6, 4:6] = 10.0
    return dict(maps=maps, gt_boxes=torch.tensor([[4.0, 4, 6, 6]]), fractions=[0.2, 0.3, 0.5, 0.6])


def test_grade_best_fraction(threshold_inputs, capsys):
    exercises.grade_best_fraction(0.5, **threshold_inputs)
    assert capsys.readouterr().out.startswith("exercise passed: ")
    with pytest.raises(ExerciseError, match="take the lowest of tied fractions"):
        exercises.grade_best_fraction(0.6, **threshold_inputs)
    with pytest.raises(ExerciseError, match="expected 0.5000, got 0.2000"):
        exercises.grade_best_fraction(0.2, **threshold_inputs)
    with pytest.raises(ExerciseError, match="that is an accuracy"):
        exercises.grade_best_fraction(1.0, **threshold_inputs)
    with pytest.raises(ExerciseError, match="finite number"):
        exercises.grade_best_fraction("0.5", **threshold_inputs)
# --- chapter 6 ---

def _ch6_inputs():
    maps = torch.tensor([[[0.9, 0.8], [0.2, 0.1]]])
    masks = torch.tensor([[[True, False], [True, False]]])
    return maps, masks


def _pixel_pr(maps, masks, tau):
    predicted = maps >= tau
    tp = (predicted & masks).sum().item()
    precision = tp / predicted.sum().item() if predicted.any() else 1.0
    return precision, tp / masks.sum().item()


def test_ch6_pixel_precision_recall_checker(capsys):
    maps, masks = _ch6_inputs()
    exercises.grade_pixel_precision_recall(_pixel_pr, maps=maps, masks=masks)
    assert capsys.readouterr().out.startswith("exercise passed: ")
    with pytest.raises(ExerciseError, match="precision at tau = 0.9"):
        exercises.grade_pixel_precision_recall(lambda m, t, tau: (0.0, 0.0), maps=maps, masks=masks,
                                               thresholds=(0.9,))
    with pytest.raises(ExerciseError, match="expected a pair"):
        exercises.grade_pixel_precision_recall(lambda m, t, tau: 0.5, maps=maps, masks=masks)
    with pytest.raises(ExerciseError, match="expected a function"):
        exercises.grade_pixel_precision_recall(0.5, maps=maps, masks=masks)


# --- chapter 7 ---

def test_ch7_grad_cam_checker(capsys):
    def right(a, g):
        return torch.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(1))

    exercises.grade_grad_cam(right)
    assert capsys.readouterr().out.startswith("exercise passed: ")
    with pytest.raises(ExerciseError, match="ReLU"):
        exercises.grade_grad_cam(lambda a, g: (g.mean(dim=(2, 3), keepdim=True) * a).sum(1))
    with pytest.raises(ExerciseError, match="mean"):
        exercises.grade_grad_cam(lambda a, g: torch.relu((g.sum(dim=(2, 3), keepdim=True) * a).sum(1)))
    with pytest.raises(ExerciseError, match="expected shape"):
        exercises.grade_grad_cam(lambda a, g: a)
    with pytest.raises(ExerciseError, match="expected a function"):
        exercises.grade_grad_cam("grad-cam")
def test_ch7_part_box_checker(capsys):
    def right(b, g):
        top_left, bottom_right = torch.maximum(b[:, :2], g[:, :2]), torch.minimum(b[:, 2:], g[:, 2:])
        inter = (bottom_right - top_left).clamp(min=0).prod(1)
        area, gt_area = (b[:, 2:] - b[:, :2]).prod(1), (g[:, 2:] - g[:, :2]).prod(1)
        return (area > 0) & (inter >= 0.8 * area) & (inter < 0.5 * (area + gt_area - inter))

    exercises.grade_part_boxes(right)
    assert capsys.readouterr().out.startswith("exercise passed: ")
    with pytest.raises(ExerciseError, match=r"IoU exactly 0.5\): expected not a part box"):
        exercises.grade_part_boxes(lambda b, g: right(b, g) | ((b[:, 3] == 20.0) & (b[:, 0] == 10)))
    with pytest.raises(ExerciseError, match=r"80% inside, IoU 0.19\): expected a part box"):
        exercises.grade_part_boxes(lambda b, g: right(b, g) & (b[:, 0] > 8))     # inside > 0.8 instead of >= 0.8
    with pytest.raises(ExerciseError, match=r"empty \(zero width\)\): expected not a part box"):
        exercises.grade_part_boxes(lambda b, g: right(b, g) | ((b[:, 2] - b[:, 0]) == 0))
    with pytest.raises(ExerciseError, match="bool tensor"):
        exercises.grade_part_boxes(lambda b, g: right(b, g).float())
    with pytest.raises(ExerciseError, match="shape"):
        exercises.grade_part_boxes(lambda b, g: right(b, g)[:3])
    with pytest.raises(ExerciseError, match="expected a function"):
        exercises.grade_part_boxes("part")


# --- chapter 1 ---

def test_grade_centred_boxes(capsys):
    ref = torch.tensor([[0.0, 0, 10, 20], [5.0, 5, 15, 15]])
    exercises.grade_centred_boxes(torch.tensor([[27.0, 24.5, 37.0, 39.5]] * 2), reference_boxes=ref, image_size=(64, 64))
    assert capsys.readouterr().out.startswith("exercise passed: ")
    with pytest.raises(ExerciseError, match="differs from the reference"):
        exercises.grade_centred_boxes(torch.tensor([[24.5, 27.0, 39.5, 37.0]]), reference_boxes=ref, image_size=(64, 64))
    with pytest.raises(ExerciseError, match="x2 < x1"):
        exercises.grade_centred_boxes(torch.tensor([[37.0, 39.5, 27.0, 24.5]]), reference_boxes=ref, image_size=(64, 64))
    with pytest.raises(ExerciseError, match=r"expected a tensor \(N, 4\)"):
        exercises.grade_centred_boxes([27.0, 24.5, 37.0, 39.5], reference_boxes=ref, image_size=(64, 64))


# --- chapter 2 ---

def test_grade_gap(capsys):
    exercises.grade_gap(lambda f: f.sum(dim=(2, 3)) / (f.shape[2] * f.shape[3]))
    assert capsys.readouterr().out.startswith("exercise passed: ")
    with pytest.raises(ExerciseError, match=r"expected shape \(2, 3\)"):
        exercises.grade_gap(lambda f: f.sum(dim=(2, 3), keepdim=True) / (f.shape[2] * f.shape[3]))
    with pytest.raises(ExerciseError, match="differs from the reference"):
        exercises.grade_gap(lambda f: f.sum(dim=(2, 3)) / (f.shape[2] * f.shape[2]))    # h * h: wrong when h != w
    with pytest.raises(ExerciseError, match="raised ZeroDivisionError"):
        exercises.grade_gap(lambda f: 1 / 0)
    with pytest.raises(ExerciseError, match="expected a function"):
        exercises.grade_gap(3)
# --- chapter 5 ---

@pytest.fixture
def miou_inputs():
    target = torch.tensor([[[0, 0, 1], [0, 1, 1]]])
    predicted = torch.zeros(1, 2, 3, dtype=torch.long)
    return dict(predicted=predicted, target=target, num_classes=3)


def test_mean_iou_checker(miou_inputs, capsys):
    # background IoU 3/6, class 1 IoU 0, class 2 absent: mean 0.25
    exercises.grade_mean_iou(0.25, **miou_inputs)
    assert capsys.readouterr().out.startswith("exercise passed: ")
    with pytest.raises(ExerciseError, match="that is the pixel accuracy"):
        exercises.grade_mean_iou(0.5, **miou_inputs)
    with pytest.raises(ExerciseError, match="leave it out"):
        exercises.grade_mean_iou(1 / 6, **miou_inputs)
    with pytest.raises(ExerciseError, match="expected 0.2500, got 0.9000"):
        exercises.grade_mean_iou(0.9, **miou_inputs)
