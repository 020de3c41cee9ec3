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
    exercises.check_pixel_precision_recall(_pixel_pr, maps=maps, masks=masks)
    assert capsys.readouterr().out.startswith("\u2713")
    with pytest.raises(ExerciseError, match="precision at tau = 0.9"):
        exercises.check_pixel_precision_recall(lambda m, t, tau: (0.0, 0.0), maps=maps, masks=masks,
                                               thresholds=(0.9,))
    with pytest.raises(ExerciseError, match="expected a pair"):
        exercises.check_pixel_precision_recall(lambda m, t, tau: 0.5, maps=maps, masks=masks)
    with pytest.raises(ExerciseError, match="expected a function"):
        exercises.check_pixel_precision_recall(0.5, maps=maps, masks=masks)


# --- chapter 7 ---

def test_ch7_grad_cam_checker(capsys):
    def right(a, g):
        return torch.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(1))

    exercises.check_grad_cam(right)
    assert capsys.readouterr().out.startswith("\u2713")
    with pytest.raises(ExerciseError, match="ReLU"):
        exercises.check_grad_cam(lambda a, g: (g.mean(dim=(2, 3), keepdim=True) * a).sum(1))
    with pytest.raises(ExerciseError, match="mean"):
        exercises.check_grad_cam(lambda a, g: torch.relu((g.sum(dim=(2, 3), keepdim=True) * a).sum(1)))
    with pytest.raises(ExerciseError, match="expected shape"):
        exercises.check_grad_cam(lambda a, g: a)
    with pytest.raises(ExerciseError, match="expected a function"):
        exercises.check_grad_cam("grad-cam")
