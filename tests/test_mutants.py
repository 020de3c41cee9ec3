"""Tests that a plausible wrong implementation fails (issue 17: each of these bugs once passed the suite).

Each test names the mutant it kills: a one-token change to wsl_lib that gives wrong numbers.
"""

import matplotlib
import pytest
import torch
from torch import nn

from wsl_lib import cam, localize, metrics, train, viz


def test_largest_component_is_eight_connected():
    # mutant: 4-connectivity. Four pixels touching only by corners form one 8-connected
    # component, larger than the 3-pixel bar beside them.
    masks = torch.zeros(1, 6, 8, dtype=torch.bool)
    for i in range(4):
        masks[0, i, i] = True                      # a diagonal of 4 pixels
    masks[0, 5, 5:8] = True                        # a bar of 3
    kept = localize.largest_component(masks)
    assert kept[0].sum() == 4 and bool(kept[0, 3, 3])


def test_a_pixel_exactly_at_the_fraction_of_the_maximum_is_kept():
    # mutant: ">" instead of ">=" in the fraction-of-max rule
    maps = torch.tensor([[[1.0, 0.5, 0.0, 0.0]]])
    assert localize.threshold_maps(maps, 0.5).tolist() == [[[True, True, False, False]]]
    assert localize.boxes_from_maps(maps, 0.5).tolist() == [[0.0, 0.0, 2.0, 1.0]]


def test_upsample_uses_pixel_centres_not_corners():
    # mutant: align_corners=True. With pixel centres (align_corners=False) a 1 x 2 map [0, 1]
    # resized to 1 x 4 gives [0, 0.25, 0.75, 1]; aligning corners would give [0, 1/3, 2/3, 1].
    out = cam.upsample(torch.tensor([[[0.0, 1.0]]]), (1, 4))
    torch.testing.assert_close(out, torch.tensor([[[0.0, 0.25, 0.75, 1.0]]]))


def test_fit_trains_on_the_augmented_batch():
    # mutant: the augmented batch is computed but the original one is used
    seen = []

    class Recorder(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 2)

        def forward(self, x):
            seen.append(x.detach().clone())
            return self.linear(x)

    def negate(x, y, generator):
        return -x - 10, y

    inputs = torch.rand(8, 4)
    train.fit(Recorder(), inputs, torch.zeros(8, dtype=torch.long), epochs=1, batch_size=8,
              augment=negate, device="cpu", progress=False)
    assert len(seen) == 1 and bool((seen[0] < -9).all())


def test_max_box_accuracy_reports_the_lowest_of_tied_thresholds():
    # mutant: the tie goes to the highest threshold. A binary map gives the same box at every
    # threshold in (0, 1], so all but 0.0 tie.
    maps = torch.zeros(1, 8, 8)
    maps[0, 2:6, 2:6] = 1.0
    result = metrics.max_box_accuracy(maps, torch.tensor([[2.0, 2.0, 6.0, 6.0]]), [0.0, 0.3, 0.6, 0.9])
    assert result.value == 1.0 and result.best_threshold == {0.5: 0.3}


def test_default_thresholds_stop_below_one():
    # mutant: 1.0 included (a map thresholded at its maximum alone is not a threshold of the paper)
    t = metrics.default_thresholds()
    assert len(t) == 100 and float(t[0]) == 0.0 and float(t[-1]) == pytest.approx(0.99) and bool((t < 1).all())


def test_heatmap_is_min_max_scaled():
    # mutant: the map's raw values fed to the colour map. A map from 2 to 5 must use the whole
    # colour map, exactly as the same map scaled to [0, 1].
    ramp = torch.linspace(0, 1, 6).view(2, 3)
    colours = viz.heatmap(2 + 3 * ramp)
    torch.testing.assert_close(colours, viz.heatmap(ramp))
    lowest, highest = matplotlib.colormaps["viridis"]([0.0, 1.0])[:, :3]
    torch.testing.assert_close(colours[:, 0, 0], torch.tensor(lowest, dtype=torch.float32))
    torch.testing.assert_close(colours[:, 1, 2], torch.tensor(highest, dtype=torch.float32))
