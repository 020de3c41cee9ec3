"""The Examples sections of wsl_lib's docstrings run, and show what they say."""

import doctest
import importlib
import pkgutil

import pytest
import torch

import wsl_lib

MODULES = sorted(m.name for m in pkgutil.iter_modules(wsl_lib.__path__) if not m.name.startswith("_"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"wsl_lib.{name}")
    result = doctest.testmod(module, extraglobs={"torch": torch, "wsl": wsl_lib}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in wsl_lib.{name}"


def test_the_key_functions_have_examples():
    from wsl_lib import cam, localize, metrics

    for fn in (cam.compute_cams, localize.boxes_from_maps, metrics.iou_curve, metrics.max_box_accuracy,
               metrics.mean_iou):
        assert ">>> " in (fn.__doc__ or ""), f"{fn.__module__}.{fn.__name__} has no Examples section"
