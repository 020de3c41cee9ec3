"""Gradient-based class activation maps: Grad-CAM and two relatives.

With ``A_k(x, y)`` the activations of a chosen layer (``model.features`` by default) and
``g_k(x, y) = dS_c / dA_k(x, y)`` the gradient of the class score (the logit) with respect
to them, over the ``Z`` positions of the map:

* **Grad-CAM** (Selvaraju et al., ICCV 2017): ``alpha_k = (1/Z) sum_{x,y} g_k(x, y)``,
  map ``ReLU(sum_k alpha_k A_k)``. On a GAP + linear head ``g_k = w_k^c / Z`` everywhere,
  so Grad-CAM is ``ReLU(CAM) / Z`` (:func:`gradcam_identity_gap`).
* **Grad-CAM++** (Chattopadhyay et al., WACV 2018, eq. 19): per-position weights
  ``a_k(x, y) = g_k(x, y)^2 / (2 g_k(x, y)^2 + g_k(x, y)^3 sum_{a,b} A_k(a, b))``
  (0 where the denominator is 0), ``alpha_k = sum_{x,y} a_k(x, y) ReLU(g_k(x, y))``, map
  ``ReLU(sum_k alpha_k A_k)``: the closed form of the paper with an exponential score, as
  pytorch-grad-cam computes it (which adds 1e-6 to the denominator). The sum runs over the
  activations only; the gradient is the one at ``(x, y)``.
* **LayerCAM** (Jiang et al., TIP 2021): no channel average at all,
  map ``ReLU(sum_k ReLU(g_k(x, y)) A_k(x, y))``.

These need no particular head: they work on the flatten + fully connected model too,
where the CAM does not exist. The activations are captured by a forward hook that is
removed when the computation ends, also when it fails (:func:`capture_output`).
Images are processed in batches; each image's map depends on that image only: like every map
function of wsl_lib (:func:`wsl_lib.cam.compute_cams`, and :func:`wsl_lib.train.predict`), these
put the model in eval mode first, so batch normalization uses its running statistics.

Derived in chapter 7.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
from torch import nn

from ._checks import check_choice, check_class_indices, check_classes, check_dtype_matches, check_number, check_tensor
from .cam import NORMALIZATIONS, compute_cams, normalize, upsample

__all__ = [
    "capture_output", "combine", "grad_cam", "grad_cam_pp", "gradcam_identity_gap", "gradient_cams",
    "layer_cam", "METHODS", "score_gradients"
]

METHODS = ("gradcam", "gradcam++", "layercam")


@contextmanager
def capture_output(layer: nn.Module):
    """Context manager: record the output of ``layer`` at each forward pass in a list.

    ``with capture_output(model.body) as outputs: model(x)`` leaves the layer's output in
    ``outputs[-1]``. The hook is removed on leaving the block, even after an exception,
    so repeated calls never accumulate hooks (a common cause of memory growth).

    Derived in chapter 7.
    """
    if not isinstance(layer, nn.Module):
        raise TypeError(f"layer: expected a torch.nn.Module, got {type(layer).__name__}")
    outputs = []
    handle = layer.register_forward_hook(lambda module, inputs, output: outputs.append(output))
    try:
        yield outputs
    finally:
        handle.remove()


def _default_layer(model: nn.Module) -> nn.Module:
    layer = getattr(model, "body", None)
    if not isinstance(layer, nn.Module):
        raise ValueError("layer: the model has no .body module (the last convolutional features of "
                         "wsl_lib's models); pass the layer whose activations to use")
    return layer


def score_gradients(model: nn.Module, images: torch.Tensor, classes="predicted", *, layer: nn.Module | None = None):
    """One forward and one backward pass: the layer's activations and the gradients of the class scores.

    Derived in chapter 7.

    Args:
        model: any classifier ``(N, 3, H, W) -> (N, C)`` logits.
        images: ``(N, 3, H, W)``; moved to the model's device.
        classes: ``"predicted"`` (the top-1 class of each image) or an int tensor ``(N,)``.
        layer: the module whose output ``A`` ``(N, K, h, w)`` is explained; ``model.body`` by default.

    Returns:
        ``(logits (N, C), activations (N, K, h, w), gradients (N, K, h, w), classes (N,))``, detached,
        on the model's device. The gradient of image ``n`` is ``dS_{classes[n]} / dA[n]``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    check_tensor("images", images, ndim=4, kind="float", finite=True)
    layer = _default_layer(model) if layer is None else layer
    check_classes(classes, images, every_class=False)
    parameter = next(model.parameters())
    device = parameter.device
    check_dtype_matches("images", images, parameter)
    model.eval()
    with torch.enable_grad(), capture_output(layer) as outputs:
        logits = model(images.to(device))
        if len(outputs) != 1 or not isinstance(outputs[0], torch.Tensor) or outputs[0].ndim != 4:
            raise ValueError("layer: expected a module that runs once per forward pass and outputs "
                             f"(N, K, h, w) activations, got {len(outputs)} outputs")
        activations = outputs[0]
        chosen = logits.argmax(1) if isinstance(classes, str) else classes.to(device)
        check_class_indices("classes", chosen, logits.shape[1])
        # each image's score depends on its own activations only, so one backward pass of the sum
        # gives every image's gradient
        score = logits.gather(1, chosen[:, None]).sum()
        (gradients,) = torch.autograd.grad(score, activations)
    return logits.detach(), activations.detach(), gradients.detach(), chosen


def combine(activations: torch.Tensor, gradients: torch.Tensor, method: str = "gradcam") -> torch.Tensor:
    """Maps ``(N, h, w)`` from activations and gradients ``(N, K, h, w)``: Grad-CAM, Grad-CAM++ or LayerCAM.

    Derived in chapter 7.
    """
    check_tensor("activations", activations, ndim=4, kind="float", finite=True)
    check_tensor("gradients", gradients, ndim=4, kind="float", finite=True)
    if activations.shape != gradients.shape:
        raise ValueError(f"gradients: expected the shape of activations {tuple(activations.shape)}, "
                         f"got {tuple(gradients.shape)}")
    check_choice("method", method, METHODS)
    if method == "gradcam":
        alpha = gradients.mean(dim=(2, 3), keepdim=True)                       # (N, K, 1, 1)
        return torch.relu((alpha * activations).sum(1))
    if method == "layercam":
        return torch.relu((torch.relu(gradients) * activations).sum(1))
    g2 = gradients.pow(2)
    activation_sums = activations.sum(dim=(2, 3), keepdim=True)              # (N, K, 1, 1)
    denominator = 2 * g2 + gradients.pow(3) * activation_sums
    a = torch.where(denominator != 0, g2 / torch.where(denominator != 0, denominator, 1.0), 0.0)
    alpha = (a * torch.relu(gradients)).sum(dim=(2, 3), keepdim=True)
    return torch.relu((alpha * activations).sum(1))


def gradient_cams(model: nn.Module, images: torch.Tensor, *, classes="predicted", method: str = "gradcam",
                  layer: nn.Module | None = None, size="input", normalization: str = "none",
                  batch_size: int = 250):
    """Grad-CAM (or ``method="gradcam++"``, ``"layercam"``) maps of ``images`` ``(N, 3, H, W)``.

    ``classes``, ``size`` and ``normalization`` mean what they mean in
    :func:`wsl_lib.cam.compute_cams` (here ``classes`` is ``"predicted"`` or an int tensor ``(N,)``).
    Returns ``(logits (N, C), maps (N, H', W'))`` on the model's device.

    Derived in chapter 7, through :func:`grad_cam`, :func:`grad_cam_pp` and :func:`layer_cam`.
    """
    check_tensor("images", images, ndim=4, kind="float", finite=True)
    check_choice("method", method, METHODS)
    check_choice("normalization", normalization, NORMALIZATIONS)
    check_number("batch_size", batch_size, low=1, integer=True)
    check_classes(classes, images, every_class=False)
    logits, maps = [], []
    for lo in range(0, len(images), batch_size):
        part = classes if isinstance(classes, str) else classes[lo:lo + batch_size]
        out, activations, gradients, _ = score_gradients(model, images[lo:lo + batch_size], part, layer=layer)
        logits.append(out)
        maps.append(combine(activations, gradients, method))
    maps = torch.cat(maps)
    if size is not None:
        maps = upsample(maps, images.shape[-2:] if size == "input" else size)
    return torch.cat(logits), normalize(maps, normalization)


def grad_cam(model: nn.Module, images: torch.Tensor, **kwargs):
    """Grad-CAM maps: :func:`gradient_cams` with ``method="gradcam"``.

    Used first in chapter 6; derived in chapter 7.
    """
    return gradient_cams(model, images, method="gradcam", **kwargs)


def grad_cam_pp(model: nn.Module, images: torch.Tensor, **kwargs):
    """Grad-CAM++ maps: :func:`gradient_cams` with ``method="gradcam++"``.

    Used first in chapter 6; derived in chapter 7.
    """
    return gradient_cams(model, images, method="gradcam++", **kwargs)


def layer_cam(model: nn.Module, images: torch.Tensor, **kwargs):
    """LayerCAM maps: :func:`gradient_cams` with ``method="layercam"``.

    Derived in chapter 7.
    """
    return gradient_cams(model, images, method="layercam", **kwargs)


def gradcam_identity_gap(model: nn.Module, images: torch.Tensor, classes: torch.Tensor) -> float:
    """Largest ``|GradCAM - ReLU(CAM) / Z|`` over a batch, at feature resolution, for a GAP + linear model.

    Zero up to rounding: on such a head the gradient of ``S_c`` with respect to ``f_k(x, y)``
    is ``w_k^c / Z`` at every position, so Grad-CAM's weights are ``w_k^c / Z``.

    Derived in chapter 7.
    """
    _, cams = compute_cams(model, images, classes=classes, size=None)
    _, grad = gradient_cams(model, images, classes=classes, size=None)
    z = cams.shape[-1] * cams.shape[-2]
    return float((grad - torch.relu(cams) / z).abs().max())
