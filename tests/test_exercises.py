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


# --- chapter 1 ---

def test_check_centred_boxes(capsys):
    ref = torch.tensor([[0.0, 0, 10, 20], [5.0, 5, 15, 15]])
    exercises.check_centred_boxes(torch.tensor([[27.0, 24.5, 37.0, 39.5]] * 2), reference_boxes=ref, image_size=(64, 64))
    assert capsys.readouterr().out.startswith("\u2713")
    with pytest.raises(ExerciseError, match="differs from the reference"):
        exercises.check_centred_boxes(torch.tensor([[24.5, 27.0, 39.5, 37.0]]), reference_boxes=ref, image_size=(64, 64))
    with pytest.raises(ExerciseError, match="x2 < x1"):
        exercises.check_centred_boxes(torch.tensor([[37.0, 39.5, 27.0, 24.5]]), reference_boxes=ref, image_size=(64, 64))
    with pytest.raises(ExerciseError, match=r"expected a tensor \(N, 4\)"):
        exercises.check_centred_boxes([27.0, 24.5, 37.0, 39.5], reference_boxes=ref, image_size=(64, 64))


# --- chapter 2 ---

def test_check_gap(capsys):
    exercises.check_gap(lambda f: f.sum(dim=(2, 3)) / (f.shape[2] * f.shape[3]))
    assert capsys.readouterr().out.startswith("\u2713")
    with pytest.raises(ExerciseError, match=r"expected shape \(2, 3\)"):
        exercises.check_gap(lambda f: f.sum(dim=(2, 3), keepdim=True) / (f.shape[2] * f.shape[3]))
    with pytest.raises(ExerciseError, match="differs from the reference"):
        exercises.check_gap(lambda f: f.sum(dim=(2, 3)) / (f.shape[2] * f.shape[2]))    # h * h: wrong when h != w
    with pytest.raises(ExerciseError, match="raised ZeroDivisionError"):
        exercises.check_gap(lambda f: 1 / 0)
    with pytest.raises(ExerciseError, match="expected a function"):
        exercises.check_gap(3)
