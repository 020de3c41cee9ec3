import pytest
import torch

from wsl_lib import augment


def test_hidden_cells_are_whole_grid_cells_with_the_fill():
    x = torch.rand(20, 3, 8, 8)
    g = torch.Generator().manual_seed(0)
    out = augment.hide_patches(x, 4, 0.5, 0.25, g)
    changed = (out != x).any(1)                                           # (N, 8, 8)
    cells = changed.view(20, 4, 2, 4, 2).permute(0, 1, 3, 2, 4).reshape(20, 4, 4, 4)
    hidden = out.view(20, 3, 4, 2, 4, 2).permute(0, 2, 4, 1, 3, 5).reshape(20, 4, 4, 12)
    is_fill = (hidden == 0.25).all(-1)
    # a cell is either untouched or entirely filled
    assert bool(((cells.any(-1) == False) | is_fill).all())   # noqa: E712
    assert 0.3 < float(is_fill.float().mean()) < 0.7                      # about half the cells


def test_reproducible_and_does_not_modify_input():
    x = torch.rand(4, 3, 16, 16)
    copy = x.clone()
    a = augment.hide_patches(x, 4, 0.5, 0.0, torch.Generator().manual_seed(1))
    b = augment.hide_patches(x, 4, 0.5, 0.0, torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and torch.equal(x, copy)


def test_edge_probabilities_and_per_channel_fill():
    x = torch.rand(2, 3, 6, 6)                                            # 6 is not a multiple of 4
    g = torch.Generator().manual_seed(0)
    assert torch.equal(augment.hide_patches(x, 4, 0.0, 0.5, g), x)
    fill = torch.tensor([0.1, 0.2, 0.3])
    out = augment.hide_patches(x, 4, 1.0, fill, g)
    assert torch.equal(out, fill[None, :, None, None].expand_as(x))


def test_hide_and_seek_is_an_augment_for_fit():
    aug = augment.hide_and_seek(grid=2, p=1.0, fill=0.0)
    x, y = torch.rand(3, 3, 4, 4), torch.tensor([0, 1, 2])
    out, y2 = aug(x, y, torch.Generator().manual_seed(0))
    assert torch.equal(out, torch.zeros_like(x)) and torch.equal(y2, y)


def test_mixed_patch_sizes_give_each_image_one_of_the_grids():
    aug = augment.hide_and_seek(grid=(2, 4), p=0.5, fill=-1.0)
    x = torch.rand(64, 1, 8, 8)
    out, _ = aug(x, torch.zeros(64), torch.Generator().manual_seed(0))
    hidden = out == -1.0                                                   # (64, 1, 8, 8)

    def is_grid(mask, g):                                                 # every g x g... cell all-or-nothing
        cells = mask.view(g, 8 // g, g, 8 // g).permute(0, 2, 1, 3).reshape(g, g, -1)
        return bool((cells.all(-1) | ~cells.any(-1)).all())

    coarse = [is_grid(m[0], 2) for m in hidden]
    assert all(is_grid(m[0], 4) for m in hidden)                          # a 2x2 cell is four 4x4 cells
    assert 10 < sum(coarse) < 64                                          # both sizes occur
    again, _ = aug(x, torch.zeros(64), torch.Generator().manual_seed(0))
    assert torch.equal(out, again)
