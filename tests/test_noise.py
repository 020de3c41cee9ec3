"""Noise models, noise-robust losses and fit_recording, against hand-worked examples."""

from __future__ import annotations

import math
import os

import pytest
import torch
import torch.nn.functional as F

from wsl_lib import models, noise, seeding, train

T = torch.tensor


def balanced(n_per_class=100, num_classes=6):
    return torch.arange(n_per_class * num_classes) % num_classes


# --------------------------------------------------------------------------- transition matrices

def test_symmetric_transition_by_hand():
    t = noise.symmetric_transition(3, 0.4)
    assert torch.allclose(t, T([[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6]], dtype=torch.float64))
    assert torch.equal(noise.symmetric_transition(4, 0.0), torch.eye(4, dtype=torch.float64))


def test_class_conditional_transition_by_hand():
    t = noise.class_conditional_transition([1, 0, 0], 0.3)
    assert torch.allclose(t, T([[0.7, 0.3, 0.0], [0.3, 0.7, 0.0], [0.3, 0.0, 0.7]], dtype=torch.float64))
    assert torch.equal(noise.class_conditional_transition(T([1, 2, 0]), 0.25),
                       noise.class_conditional_transition([1, 2, 0], 0.25))


def test_check_transition_accepts_rows_of_probabilities():
    t = noise.symmetric_transition(6, 0.5).float()
    assert noise.check_transition(t, 6) is t
    with pytest.raises(ValueError, match="row 1 summing to 1.1"):
        noise.check_transition(T([[1.0, 0.0], [0.1, 1.0]]))


# --------------------------------------------------------------------------- corrupt_labels

def test_symmetric_noise_has_the_exact_rate_and_never_keeps_a_flipped_label():
    labels = balanced(100)                                   # 100 labels of each of 6 classes
    noisy = noise.corrupt_labels(labels, noise.symmetric_transition(6, 0.4), seed=0)
    changed = noisy != labels
    assert int(changed.sum()) == 240                         # exactly 40% of 600
    for i in range(6):
        assert int(changed[labels == i].sum()) == 40         # exactly 40 of each class
        # each of the 5 other classes receives exactly 40 / 5 = 8 of class i's labels
        received = torch.bincount(noisy[(labels == i) & changed], minlength=6)
        assert received[i] == 0 and received.sum() == 40 and set(received.tolist()) == {0, 8}
    assert bool((noisy[changed] != labels[changed]).all())  # a flip never lands on the true class


def test_corruption_rounds_by_largest_remainder_and_keeps_class_sizes():
    labels = balanced(7, 3)                                  # 7 per class, rate 0.5 of 7 = 3.5: 4 kept, 3 flipped
    noisy = noise.corrupt_labels(labels, noise.class_conditional_transition([1, 2, 0], 0.5), seed=3)
    for i in range(3):
        assert int((noisy[labels == i] == i).sum()) == 4
        assert int((noisy[labels == i] == (i + 1) % 3).sum()) == 3
    assert len(noisy) == len(labels) and noisy.dtype == labels.dtype


def test_class_conditional_noise_goes_only_to_the_confused_class():
    labels = balanced(50)
    confused = [5, 4, 3, 2, 1, 0]
    noisy = noise.corrupt_labels(labels, noise.class_conditional_transition(confused, 0.2), seed=1)
    changed = noisy != labels
    assert int(changed.sum()) == 60
    assert bool((noisy[changed] == T(confused)[labels[changed]]).all())


def test_rate_zero_and_identity_change_nothing():
    labels = balanced(10)
    assert torch.equal(noise.corrupt_labels(labels, noise.symmetric_transition(6, 0.0), seed=0), labels)


def test_corruption_is_deterministic_from_the_seed_and_moved_by_the_run_seed(monkeypatch):
    labels = balanced(100)
    t = noise.symmetric_transition(6, 0.3)
    a = noise.corrupt_labels(labels, t, seed=0)
    assert torch.equal(a, noise.corrupt_labels(labels, t, seed=0))
    assert not torch.equal(a, noise.corrupt_labels(labels, t, seed=1))
    monkeypatch.setenv("WSL_SEED", "2")
    assert not torch.equal(a, noise.corrupt_labels(labels, t, seed=0))
    assert labels.equal(balanced(100))                       # the input is not modified


def test_estimate_transition_by_hand():
    probabilities = T([[0.8, 0.2], [0.6, 0.4], [0.1, 0.9]])
    labels = T([0, 0, 1])
    assert torch.allclose(noise.estimate_transition(probabilities, labels),
                          T([[0.7, 0.3], [0.1, 0.9]], dtype=torch.float64))


def test_estimate_transition_of_observed_noisy_labels_recovers_the_exact_matrix():
    labels = balanced(100)
    t = noise.class_conditional_transition([5, 3, 4, 1, 2, 0], 0.3)
    noisy = noise.corrupt_labels(labels, t, seed=0)
    estimate = noise.estimate_transition(F.one_hot(noisy, 6).float(), labels)
    assert torch.allclose(estimate, t)                       # exact counts: 30 of 100 per class


# --------------------------------------------------------------------------- losses

def test_gce_tends_to_cross_entropy_as_q_goes_to_zero():
    logits = T([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-3.0, 4.0, 0.0]])
    targets = T([0, 2, 0])
    ce = F.cross_entropy(logits, targets)
    assert abs(noise.gce_loss(logits, targets, q=1e-6).item() - ce.item()) < 1e-4
    # smaller q, closer to cross-entropy (from below: (1 - p^q) / q <= -log p)
    gaps = [ce.item() - noise.gce_loss(logits, targets, q=q).item() for q in (0.7, 0.3, 0.1, 0.01)]
    assert all(g > 0 for g in gaps) and gaps == sorted(gaps, reverse=True)


def test_gce_at_q_one_is_the_mean_absolute_error_and_by_hand_at_half():
    logits = T([[0.0, 0.0], [math.log(3.0), 0.0]])          # p_y = 0.5 and p_y = 0.75 for class 0
    targets = T([0, 0])
    assert abs(noise.gce_loss(logits, targets, q=1.0).item() - ((1 - 0.5) + (1 - 0.75)) / 2) < 1e-6
    expected = ((1 - 0.5 ** 0.5) / 0.5 + (1 - 0.75 ** 0.5) / 0.5) / 2
    assert abs(noise.gce_loss(logits, targets, q=0.5).item() - expected) < 1e-6


def test_forward_correction_with_the_identity_is_cross_entropy():
    logits = torch.randn(8, 6, generator=torch.Generator().manual_seed(0))
    targets = T([0, 1, 2, 3, 4, 5, 0, 1])
    assert torch.allclose(noise.forward_corrected_loss(logits, targets, torch.eye(6)), F.cross_entropy(logits, targets),
                          atol=1e-6)


def test_forward_correction_by_hand():
    # the network is sure of class 0; T sends class 0 to class 1 with probability 0.3
    logits = T([[30.0, 0.0]])
    transition = T([[0.7, 0.3], [0.0, 1.0]])
    assert abs(noise.forward_corrected_loss(logits, T([1]), transition).item() + math.log(0.3)) < 1e-5
    assert abs(noise.forward_corrected_loss(logits, T([0]), transition).item() + math.log(0.7)) < 1e-5


def test_small_loss_keeps_the_smallest_losses():
    logits = T([[5.0, 0.0], [0.0, 5.0], [1.0, 0.0], [0.0, 1.0]])
    targets = T([0, 0, 0, 1])                                 # the second label is the wrong one
    losses = F.cross_entropy(logits, targets, reduction="none")
    assert torch.allclose(noise.small_loss_cross_entropy(logits, targets, 1.0), losses.mean())
    kept = losses.sort().values[:3].mean()                    # ceil(0.6 * 4) = 3: all but the wrong label
    assert torch.allclose(noise.small_loss_cross_entropy(logits, targets, 0.6), kept)
    assert torch.allclose(noise.small_loss_cross_entropy(logits, targets, 0.01), losses.min())


def test_small_loss_schedule_ramps_then_stays():
    loss = noise.SmallLossCrossEntropy(forget_rate=0.4, ramp_steps=4)
    keeps = []
    for _ in range(6):
        keeps.append(loss.keep())
        loss(T([[1.0, 0.0]]), T([0]))
    assert keeps == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6, 0.6])


# --------------------------------------------------------------------------- fit_recording

def _toy(n=64):
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 3, 8, 8, generator=g), torch.arange(n) % 3


def test_fit_recording_records_every_epoch_and_trains_exactly_as_fit():
    x, y = _toy()
    seeding.seed_everything(0)
    plain = models.SmallCNN(3, widths=(4, 8), image_size=8)
    seeding.seed_everything(0)
    recorded = models.SmallCNN(3, widths=(4, 8), image_size=8)
    train.fit(plain, x, y, epochs=3, batch_size=16, progress=False, device="cpu")
    seen = []

    def record(model):
        seen.append(model.training)
        return {"acc": train.accuracy(model(x), y), "epoch_mark": len(seen)}

    history, best, best_epoch = noise.fit_recording(recorded, x, y, record, epochs=3, batch_size=16, progress=False,
                                                    device="cpu")
    assert history["epoch_mark"] == [1.0, 2.0, 3.0] and len(history["acc"]) == 3
    assert best is None and best_epoch is None and seen == [False, False, False]     # recorded in eval mode
    for a, b in zip(plain.state_dict().values(), recorded.state_dict().values()):
        assert torch.equal(a, b)                              # recording changed nothing in training
    assert history["acc"][-1] == train.accuracy(recorded(x), y)


def test_fit_recording_selects_the_best_epoch():
    x, y = _toy()
    values = iter([0.2, 0.9, 0.5, 0.9])
    snapshots = []

    def record(model):
        snapshots.append(model.classifier.weight.detach().clone())
        return {"score": next(values)}

    model = models.SmallCNN(3, widths=(4, 8), image_size=8)
    history, best, best_epoch = noise.fit_recording(model, x, y, record, select="score", epochs=4, batch_size=16,
                                                    progress=False, device="cpu")
    assert history["score"] == [0.2, 0.9, 0.5, 0.9]
    assert best_epoch == 2 and not best.training              # the first epoch with the largest value
    assert torch.equal(best.classifier.weight.cpu(), snapshots[1].cpu())
    assert not torch.equal(model.classifier.weight, best.classifier.weight)
