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
    exercises.check_top1_localization(1 / 3, **top1_inputs)
    assert capsys.readouterr().out.startswith("\u2713")


def test_gt_known_answer_gets_a_specific_hint(top1_inputs):
    with pytest.raises(ExerciseError, match="that is the GT-known accuracy"):
        exercises.check_top1_localization(2 / 3, **top1_inputs)


@pytest.mark.parametrize("answer, words", [(0.5, "expected 0.3333, got 0.5000"), ("a third", "expected a finite number"),
                                           (float("nan"), "finite")])
def test_wrong_answers_say_what_is_wrong(top1_inputs, answer, words):
    with pytest.raises(ExerciseError, match=words):
        exercises.check_top1_localization(answer, **top1_inputs)


def test_expect_tensor_messages():
    exercises.expect_tensor("x", torch.ones(2, 2), torch.ones(2, 2))
    with pytest.raises(ExerciseError, match=r"expected shape \(2, 2\), got \(4,\)"):
        exercises.expect_tensor("x", torch.ones(4), torch.ones(2, 2))
    with pytest.raises(ExerciseError, match=r"differs from the reference at index \(1, 0\)"):
        exercises.expect_tensor("x", torch.tensor([[1.0, 1], [2, 1]]), torch.ones(2, 2))
    with pytest.raises(ExerciseError, match="expected a torch.Tensor"):
        exercises.expect_tensor("x", [[1, 1]], torch.ones(1, 2))


# --- chapter 5 ---

@pytest.fixture
def miou_inputs():
    target = torch.tensor([[[0, 0, 1], [0, 1, 1]]])
    predicted = torch.zeros(1, 2, 3, dtype=torch.long)
    return dict(predicted=predicted, target=target, num_classes=3)


def test_mean_iou_checker(miou_inputs, capsys):
    # background IoU 3/6, class 1 IoU 0, class 2 absent: mean 0.25
    exercises.check_mean_iou(0.25, **miou_inputs)
    assert capsys.readouterr().out.startswith("\u2713")
    with pytest.raises(ExerciseError, match="that is the pixel accuracy"):
        exercises.check_mean_iou(0.5, **miou_inputs)
    with pytest.raises(ExerciseError, match="leave it out"):
        exercises.check_mean_iou(1 / 6, **miou_inputs)
    with pytest.raises(ExerciseError, match="expected 0.2500, got 0.9000"):
        exercises.check_mean_iou(0.9, **miou_inputs)
