"""Input checks shared by every public function of wsl_lib.

Each check raises ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind,
wrong shape or values) with a message of the form
``"<argument>: expected <what>, got <what was passed>"``, so that a student who
passes the wrong thing learns which argument is wrong and how.
"""

from __future__ import annotations

import math
import numbers

import torch

__all__ = [
    "check_bag_mask", "check_binary_labels",
    "check_boxes", "check_boxes_inside", "check_choice", "check_class_indices", "check_classes",
    "check_dtype_matches", "check_number", "check_same_length", "check_size", "check_tensor", "describe"
]

_KINDS = {
    "float": (lambda t: t.is_floating_point(), "a floating-point tensor"),
    "int": (lambda t: not t.is_floating_point() and not t.is_complex() and t.dtype != torch.bool,
            "an integer tensor"),
    "bool": (lambda t: t.dtype == torch.bool, "a bool tensor"),
    "real": (lambda t: not t.is_complex(), "a real-valued tensor"),
}


def describe(x) -> str:
    """How an error message names what was passed: a tensor's dtype and shape, a number or string as it is, else its type."""
    if isinstance(x, torch.Tensor):
        return f"a {x.dtype} tensor of shape {tuple(x.shape)}"
    return f"{type(x).__name__} {x!r}" if isinstance(x, (numbers.Number, str)) else type(x).__name__


def check_tensor(name: str, x, *, ndim=None, kind: str | None = None, shape=None,
                 finite: bool = False, nonempty: bool = True) -> torch.Tensor:
    """Check that ``x`` is a tensor of the given rank, kind and shape.

    ``ndim`` is an int or a tuple of allowed ranks; ``shape`` is a tuple whose
    entries are ints or ``None`` (any size); ``kind`` is one of ``"float"``,
    ``"int"``, ``"bool"``, ``"real"``. ``finite=True`` rejects NaN and infinity.
    Returns ``x`` unchanged, so checks can be written inline.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor, got {describe(x)}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name}: expected a tensor with {want} dimensions, got {describe(x)}")
    if shape is not None:
        ok = x.ndim == len(shape) and all(s is None or s == d for s, d in zip(shape, x.shape))
        if not ok:
            want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name}: expected shape {want}, got {describe(x)}")
    if kind is not None:
        test, words = _KINDS[kind]
        if not test(x):
            raise TypeError(f"{name}: expected {words}, got {describe(x)}")
    if nonempty and x.numel() == 0:
        raise ValueError(f"{name}: expected a non-empty tensor, got {describe(x)}")
    # a finite sum means finite values (a cheap pass); only then is the elementwise check skipped
    if finite and x.is_floating_point() and not bool(torch.isfinite(x.sum())) and not bool(torch.isfinite(x).all()):
        bad = "NaN" if bool(torch.isnan(x).any()) else "infinite values"
        raise ValueError(f"{name}: expected finite values, got a tensor containing {bad}")
    return x


def check_number(name: str, value, *, low=None, high=None, low_open: bool = False,
                 high_open: bool = False, integer: bool = False):
    """Check that ``value`` is a real number (an int when ``integer``) within bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected {'an int' if integer else 'a number'}, got {describe(value)}")
    if integer and not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {describe(value)}")
    if not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name}: expected a value in {left}{lo}, {hi}{right}, got {value!r}")
    return value


def check_choice(name: str, value, choices):
    """Check that ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(repr(c) for c in choices)}, got {value!r}")
    return value


def check_same_length(**tensors):
    """Check that the tensors (given by argument name) share their first dimension."""
    sizes = {name: len(t) for name, t in tensors.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in sizes.items())
        raise ValueError(f"mismatched batch sizes: expected the same number of items, got {listed}")


def check_boxes(name: str, boxes, *, ndim=2) -> torch.Tensor:
    """Check boxes ``(..., 4)`` in (x1, y1, x2, y2) order with x2 >= x1 and y2 >= y1."""
    check_tensor(name, boxes, ndim=ndim, kind="float", finite=True, nonempty=False)
    if boxes.shape[-1] != 4:
        raise ValueError(f"{name}: expected boxes with last dimension 4 (x1, y1, x2, y2), got {describe(boxes)}")
    if boxes.numel() and bool(((boxes[..., 2] < boxes[..., 0]) | (boxes[..., 3] < boxes[..., 1])).any()):
        raise ValueError(f"{name}: expected x2 >= x1 and y2 >= y1 in every box, got a box with x2 < x1 or y2 < y1")
    return boxes


def check_size(name: str, size) -> tuple:
    """Check an image size ``(height, width)`` of two positive ints; returns it as a tuple."""
    if (not isinstance(size, (tuple, list, torch.Size)) or len(size) != 2
            or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in size)):
        raise ValueError(f"{name}: expected (height, width) as two positive ints, got {size!r}")
    return tuple(size)


def check_boxes_inside(name: str, boxes: torch.Tensor, size) -> None:
    """Check that boxes ``(..., 4)`` lie inside an image of ``size`` ``(H, W)``: 0 <= x1, x2 <= W, same for y."""
    h, w = size
    if boxes.numel() and bool((boxes[..., :2] < 0).any() or (boxes[..., 2] > w).any() or (boxes[..., 3] > h).any()):
        raise ValueError(f"{name}: expected boxes inside the {h} x {w} image (0 <= x1 <= x2 <= {w}, "
                         f"0 <= y1 <= y2 <= {h}), got a box outside it")



def check_class_indices(name: str, x: torch.Tensor, num_classes: int, *, ignore_index: int | None = None) -> None:
    """Raise ``ValueError`` unless every value of the int tensor ``x`` is a class index in
    ``[0, num_classes - 1]`` (or equals ``ignore_index``, when one is given, for label maps).

    The one range check of class indices: image labels, the classes of the map functions,
    per-pixel label maps.
    """
    bad = (x < 0) | (x >= num_classes)
    if ignore_index is not None:
        bad &= x != ignore_index
    if bool(bad.any()):
        ignored = f" or {ignore_index} (ignored)" if ignore_index is not None else ""
        raise ValueError(f"{name}: expected class indices in [0, {num_classes - 1}]{ignored}, "
                         f"got the value {int(x[bad][0])}")


def check_classes(classes, images: torch.Tensor, *, every_class: bool) -> None:
    """Check the ``classes`` argument of the map functions (:mod:`wsl_lib.cam` and :mod:`wsl_lib.gradcam`).

    ``"predicted"`` (the top-1 class of each image), an int tensor ``(N,)`` with one class per image
    of ``images`` ``(N, 3, H, W)``, or, where ``every_class``, None for the maps of every class.
    The range of the indices is checked once the number of classes is known
    (:func:`check_class_indices`).
    """
    if isinstance(classes, str):
        check_choice("classes", classes, ("predicted",))
    elif classes is not None or not every_class:
        check_tensor("classes", classes, ndim=1, kind="int")
        check_same_length(images=images, classes=classes)


def check_dtype_matches(name: str, x: torch.Tensor, parameter: torch.Tensor) -> None:
    """Raise ``TypeError`` unless ``x`` has the dtype of the model parameter ``parameter`` (the map
    functions' check of their images, :mod:`wsl_lib.cam` and :mod:`wsl_lib.gradcam`)."""
    if x.dtype != parameter.dtype:
        raise TypeError(f"{name}: expected {parameter.dtype} images, the dtype of the model's parameters, "
                        f"got {x.dtype} (convert with {name}.to({parameter.dtype}))")


def check_binary_labels(name: str, labels: torch.Tensor) -> torch.Tensor:
    """Raise ``ValueError`` unless the int tensor ``labels`` holds only 0 (negative) and 1 (positive): the labels of bags (chapter 8)."""
    check_tensor(name, labels, kind="int", nonempty=False)
    if labels.numel() and bool(((labels != 0) & (labels != 1)).any()):
        bad = int(labels[(labels != 0) & (labels != 1)][0])
        raise ValueError(f"{name}: expected labels 0 (negative) or 1 (positive), got the value {bad}")
    return labels


def check_bag_mask(mask: torch.Tensor, batch: int | None = None) -> torch.Tensor:
    """Check a mask of real instances ``(B, L)`` bool (one row per bag, ``batch`` rows if given): every bag
    must hold at least one instance (chapter 8)."""
    check_tensor("mask", mask, ndim=2, kind="bool")
    if batch is not None and mask.shape[0] != batch:
        raise ValueError(f"mask: expected one row per bag ({batch}), got {describe(mask)}")
    empty = ~mask.any(1)
    if bool(empty.any()):
        raise ValueError(f"mask: expected at least one instance in every bag, got an empty bag at index "
                         f"{int(empty.nonzero()[0])}")
    return mask
