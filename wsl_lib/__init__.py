"""wsl_lib: the small library behind the book *Weakly Supervised Learning for
Classification, Localization and Segmentation*.

Modules, in layers: a module imports only modules of lower layers, and modules on one line
are independent of each other (import-linter checks it; the contract is in pyproject.toml)::

    exercises                                   checkers of the chapters' coding exercises
    segment                                     pseudo-masks from CAMs and boxes, a segmenter (ch. 5)
    viz | baselines | gradcam | mil | noise     pictures; image-blind localizers; Grad-CAM and kin (ch. 7);
                                                bags (ch. 8); noisy labels (ch. 9)
    metrics | localize                          every score; from a map to a box (ch. 4, 6)
    _sweep                                      the fast path of metrics.iou_curve
    cam | train                                 class activation maps (ch. 3); training, cached models
    models | augment | cache | data             networks; Hide-and-Seek; the model cache; the datasets
    boxes | seeding                             box geometry; the run seed WSL_SEED
    _checks | claims                            argument checks; claims and checks of the prose

Typical use in a chapter::

    import wsl_lib as wsl
    train = wsl.data.make_shapes(12000, split="train")
    model = wsl.train.trained_classifier("shapes")
    logits, cams = wsl.cam.compute_cams(model, images, classes=labels)
    boxes = wsl.localize.boxes_from_maps(cams, fraction=0.2)
"""

from . import (augment, baselines, boxes, cache, cam, claims, data, exercises, gradcam, localize, metrics, mil,
               models, noise, seeding, segment, train, viz)
from .claims import above, all_of, below, check, claim

__version__ = "0.1.0"
__all__ = ["augment", "baselines", "boxes", "cache", "cam", "gradcam", "claims", "data", "exercises", "localize",
           "metrics", "mil", "models", "noise", "seeding", "segment", "train", "viz", "above", "all_of", "below", "check", "claim"]
