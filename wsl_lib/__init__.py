"""wsl_lib: the small library behind the book *Weakly Supervised Learning for
Classification, Localization and Segmentation*.

Modules, each depending only on those before it::

    seeding -> data -> models -> train -> cam -> localize / segment -> metrics -> viz
    (claims: used by the notebooks)
    gradcam (after cam), augment (for train.fit)

Typical use in a chapter::

    import wsl_lib as wsl
    train = wsl.data.make_shapes(12000, split="train")
    model = wsl.train.trained_classifier("shapes")
    logits, cams = wsl.cam.compute_cams(model, images, classes=labels)
    boxes = wsl.localize.boxes_from_maps(cams, threshold=0.2)
"""

from . import (augment, cache, cam, claims, data, exercises, gradcam, localize, metrics, models, seeding, segment,
               train, viz)
from .claims import check, claim

__version__ = "0.1.0"
__all__ = ["augment", "cache", "cam", "gradcam", "claims", "data", "exercises", "localize", "metrics", "models",
           "seeding", "segment", "train", "viz", "check", "claim"]
