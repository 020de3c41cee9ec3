"""wsl_lib: the small library behind the book *Weakly Supervised Learning for
Classification, Localization and Segmentation*.

One module per job, in layers: a module imports only modules of lower layers, and modules of
one layer are independent of each other. The layers are written once, in the import-linter
contract of pyproject.toml (which checks them); the book's page "The library, module by
module" (book/api.md) shows them with each module's job.

Typical use in a chapter::

    import wsl_lib as wsl
    train = wsl.data.make_shapes(12000, split="train")
    model = wsl.recipes.trained_classifier("shapes")
    logits, cams = wsl.cam.compute_cams(model, images, classes=labels)
    boxes = wsl.localize.boxes_from_maps(cams, fraction=0.2)
"""

from . import (augment, bags, baselines, boxes, cache, cam, claims, conventions, data, exercises, gradcam, localize,
               metrics, mil, models, noise, probes, recipes, seeding, segment, train, viz)
from .claims import above, all_of, below, check, claim

__version__ = "0.1.0"
__all__ = ["augment", "bags", "baselines", "boxes", "cache", "cam", "claims", "conventions", "data", "exercises",
           "gradcam", "localize", "metrics", "mil", "models", "noise", "probes", "recipes", "seeding", "segment",
           "train", "viz", "above", "all_of", "below", "check", "claim"]
