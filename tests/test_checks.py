"""wsl_lib._checks: the shared input checks, whose messages read "<argument>: expected <what>, got <what was passed>"."""

import pytest
import torch

from wsl_lib._checks import check_number, check_tensor, describe


def test_describe_names_what_was_passed():
    assert describe(torch.zeros(2, 3, dtype=torch.int64)) == "a torch.int64 tensor of shape (2, 3)"
    assert describe(0.5) == "float 0.5" and describe("val") == "str 'val'"
    assert describe([1, 2]) == "list"


def test_checks_return_their_input_and_name_the_argument():
    x = torch.rand(2, 3)
    assert check_tensor("maps", x, ndim=2, kind="float", finite=True) is x
    with pytest.raises(ValueError, match=r"^maps: expected a tensor with 3 dimensions, got a torch.float32 tensor"):
        check_tensor("maps", x, ndim=3)
    with pytest.raises(TypeError, match=r"^labels: expected an integer tensor, got"):
        check_tensor("labels", x, kind="int")
    assert check_number("r", 2, low=0, low_open=True) == 2
    with pytest.raises(ValueError, match=r"^r: expected a value in \(0, inf\], got 0$"):
        check_number("r", 0, low=0, low_open=True)
    with pytest.raises(TypeError, match=r"^n: expected an int, got float 2.5$"):
        check_number("n", 2.5, integer=True)
