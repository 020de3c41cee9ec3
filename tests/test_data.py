import pytest
import torch

from wsl_lib import data
from wsl_lib.data import make_digits, make_shapes


@pytest.fixture(scope="module")
def shapes():
    return make_shapes(300, split="test", seed=3)


@pytest.fixture(scope="module")
def digits():
    return make_digits(300, split="test", seed=3)


@pytest.mark.parametrize("make", [make_shapes, make_digits])
def test_same_seed_same_data_and_splits_differ(make):
    a, b = make(40, seed=1), make(40, seed=1)
    for x, y in zip((a.images, a.labels, a.boxes, a.masks), (b.images, b.labels, b.boxes, b.masks)):
        assert torch.equal(x, y)
    assert not torch.equal(a.images, make(40, seed=2).images)
    assert not torch.equal(a.images, make(40, seed=1, split="test").images)


@pytest.mark.parametrize("make", [make_shapes, make_digits])
def test_same_data_with_one_thread_or_many(make):
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = make(300, seed=4)
    finally:
        torch.set_num_threads(threads)
    many = make(300, seed=4)
    assert torch.equal(one.images, many.images) and torch.equal(one.masks, many.masks)


@pytest.mark.parametrize("fixture", ["shapes", "digits"])
def test_item_types_shapes_and_ranges(fixture, request):
    ds = request.getfixturevalue(fixture)
    image, label, box, mask = ds[0]
    assert image.shape == (3, 64, 64) and image.dtype == torch.float32
    assert label.dtype == torch.int64 and label.ndim == 0
    assert box.shape == (4,) and mask.shape == (64, 64) and mask.dtype == torch.bool
    assert ds.images.min() >= 0 and ds.images.max() <= 1
    assert len(ds) == 300 and not ds.multi_label


@pytest.mark.parametrize("fixture", ["shapes", "digits"])
def test_boxes_are_exactly_the_mask_extent(fixture, request):
    ds = request.getfixturevalue(fixture)
    assert ds.masks.flatten(1).any(1).all(), "every image has an object"
    for box, mask in zip(ds.boxes, ds.masks):
        ys, xs = torch.nonzero(mask, as_tuple=True)
        assert box.tolist() == [xs.min().item(), ys.min().item(), xs.max().item() + 1, ys.max().item() + 1]


def test_labels_are_balanced(shapes, digits):
    assert torch.bincount(shapes.labels).tolist() == [50] * 6
    assert torch.bincount(digits.labels).tolist() == [30] * 10


def test_shapes_object_colour_differs_from_background(shapes):
    # every object pixel is at least 0.2 away (in one channel) from the background colour
    for img, mask in zip(shapes.images[:50], shapes.masks[:50]):
        inside = img[:, mask].mean(1)
        border = img[:, 0, :].median(1).values  # the top row is mostly background
        assert (inside - border).abs().max() > 0.2


def test_shape_sizes_follow_the_image_size():
    ds = make_shapes(50, image_size=128, seed=0)
    assert ds.images.shape == (50, 3, 128, 128)
    widths = ds.boxes[:, 2] - ds.boxes[:, 0]
    assert widths.min() >= 10 and widths.max() <= 128


def test_multi_object_shapes():
    ds = make_shapes(100, n_objects=3, seed=0)
    assert ds.multi_label and ds.labels.shape == (100, 6) and ds.boxes.shape == (100, 3, 4)
    assert ds.masks.shape == (100, 3, 64, 64)
    assert (ds.labels.sum(1) == 3).all(), "three different classes per image"
    assert torch.equal(ds.labels.gather(1, ds.object_classes), torch.ones(100, 3))
    # objects never overlap, and every one is visible
    assert (ds.masks.sum(1) <= 1).all()
    assert ds.masks.flatten(2).any(2).all()
    semantic = ds.semantic_masks()
    assert semantic.shape == (100, 64, 64) and semantic.max() <= 6
    assert torch.equal(semantic > 0, ds.masks.any(1))


def test_spurious_background_goes_with_class_in_train_only():
    train = make_shapes(600, split="train", spurious=1.0, seed=0)
    test = make_shapes(600, split="test", spurious=1.0, seed=0)

    def agreement(ds):
        corner = ds.images[:, :, :3, :3].mean((2, 3))  # background colour (noise averages out)
        palette = torch.stack([corner[ds.labels == c].median(0).values for c in range(6)]) if ds is train else None
        return corner, palette

    corner, palette = agreement(train)
    nearest = torch.cdist(corner, palette).argmin(1)
    assert (nearest == train.labels).float().mean() > 0.95
    test_corner = test.images[:, :, :3, :3].mean((2, 3))
    test_nearest = torch.cdist(test_corner, palette).argmin(1)
    assert (test_nearest == test.labels).float().mean() < 0.35


def test_semantic_masks_single_object(shapes):
    semantic = shapes.semantic_masks()
    assert torch.equal(semantic, shapes.masks.long() * (shapes.labels[:, None, None] + 1))


def test_digits_use_disjoint_source_pools():
    _, _, pools = data.digit_pool()
    sets = [set(pools[s].tolist()) for s in data.SPLITS]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])
    assert sum(map(len, sets)) == 1797


def test_subset_and_repr(shapes):
    sub = shapes.subset(slice(0, 10))
    assert len(sub) == 10 and torch.equal(sub.images, shapes.images[:10])
    assert "shapes" in repr(shapes) and "300 images of 64x64" in repr(shapes)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n=0), ValueError, "n: expected a value in [1, inf]"),
    (dict(n=2.5), TypeError, "n: expected an int"),
    (dict(split="validation"), ValueError, "split: expected one of 'train', 'val', 'test'"),
    (dict(image_size=16), ValueError, "image_size"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(n_objects=7), ValueError, "n_objects"),
    (dict(spurious=1.5), ValueError, "spurious"),
])
def test_make_shapes_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        make_shapes(**{"n": 4, **kwargs})


def test_make_digits_bad_input():
    with pytest.raises(ValueError, match="image_size"):
        make_digits(4, image_size=40)
    with pytest.raises(ValueError, match="split"):
        make_digits(4, split="dev")
