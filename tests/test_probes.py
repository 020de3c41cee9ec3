"""wsl_lib.probes: painting the object out of an image."""

import torch

from wsl_lib.data import make_shapes
from wsl_lib.probes import paint_out


def test_paint_out_fills_the_object_with_the_median_of_the_rest():
    images = torch.zeros(2, 3, 2, 3)
    images[0, 0] = torch.tensor([[9.0, 1.0, 2.0], [3.0, 4.0, 9.0]])  # channel 0 of image 0
    images[0, 1] = 0.5
    masks = torch.zeros(2, 2, 3, dtype=torch.bool)
    masks[0, 0, 0] = masks[0, 1, 2] = True  # the two 9s are the object
    out = paint_out(images, masks)
    # the rest is 1, 2, 3, 4: nanmedian takes the lower middle value, 2
    assert out[0, 0].tolist() == [[2.0, 1.0, 2.0], [3.0, 4.0, 2.0]]
    assert torch.equal(out[0, 1], images[0, 1]) and torch.equal(out[1], images[1])  # empty mask
    assert images[0, 0, 0, 0] == 9.0  # the input is not changed


def test_paint_out_on_shapes_leaves_no_trace_of_the_object():
    shapes = make_shapes(8, split="test")
    out = paint_out(shapes.images, shapes.masks)
    inside = shapes.masks[:, None].expand_as(out)
    assert torch.equal(out[~inside], shapes.images[~inside])
    for i in range(8):  # one colour per channel over the object
        patch = out[i][:, shapes.masks[i]]
        assert torch.equal(patch, patch[:, :1].expand_as(patch))
