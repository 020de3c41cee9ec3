"""wsl_lib.viz: heatmaps, overlays, drawn boxes and masks, label colours."""

import matplotlib
import torch

matplotlib.use("Agg")

from wsl_lib import viz  # noqa: E402


def test_overlay_heatmap_and_grid_shapes():
    img = torch.rand(3, 16, 16)
    assert viz.heatmap(torch.rand(16, 16)).shape == (3, 16, 16)
    out = viz.overlay(img, torch.rand(4, 4))           # upsampled to the image
    assert out.shape == (3, 16, 16) and 0 <= out.min() and out.max() <= 1
    assert (viz.heatmap(torch.zeros(5, 5)) == viz.heatmap(torch.zeros(5, 5))[:, :1, :1]).all()  # flat map: one colour


def test_draw_boxes_upscales_and_skips_empty_boxes():
    img = torch.zeros(3, 10, 10)
    out = viz.draw_boxes(img, torch.tensor([[1.0, 1, 5, 5], [0.0, 0, 0, 0]]), colours=["red", "lime"], scale=2, width=1)
    assert out.shape == (3, 20, 20) and out.dtype == torch.uint8
    assert out[0, 2, 2] == 255 and out[0, 9, 9] == 255 and out[0, 10, 10] == 0   # corners of the red box
    assert out[1].sum() == 0                                                      # the empty lime box is not drawn
    assert torch.equal(viz.draw_boxes(img, torch.zeros(1, 4)), viz.to_uint8(img).repeat_interleave(4, 1).repeat_interleave(4, 2))


def test_draw_masks_and_show_images():
    img = torch.rand(3, 8, 8)
    mask = torch.zeros(8, 8, dtype=torch.bool)
    mask[2:4, 2:4] = True
    out = viz.draw_masks(img, mask, scale=3)
    assert out.shape == (3, 24, 24)
    fig = viz.show_images([img, torch.rand(8, 8), out], titles=["a", "b", "c"], ncols=2)
    assert len(fig.axes) == 4
    matplotlib.pyplot.close(fig)


def test_colourize():
    maps = torch.tensor([[[0, 1], [255, 2]]])
    rgb = viz.colourize(maps)
    assert rgb.shape == (1, 3, 2, 2) and rgb.dtype == torch.float32
    assert rgb[0, :, 1, 0].tolist() == [1.0, 1.0, 1.0]        # ignored pixels are white
    assert rgb[0, :, 0, 0].tolist() == [0.0, 0.0, 0.0]        # background is black
