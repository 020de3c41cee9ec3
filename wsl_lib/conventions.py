"""Conventions every layer of wsl_lib shares: the label of an unknown pixel, and what "connected" means.

They live here, in the lowest layer, so that the datasets, the losses, the metrics, the
segmenter and the pictures can all follow them without importing one another.

* :data:`IGNORE_INDEX`: in per-pixel label maps (0 background, ``c + 1`` class ``c``), the
  label of a pixel whose class is unknown (a pseudo-mask's border band), as on PASCAL VOC.
  Losses skip it; :func:`wsl_lib.metrics.mean_iou` leaves it out of the confusion matrix.
* :data:`EIGHT_CONNECTED`: the ``scipy.ndimage.label`` structure of the book's connected
  components (a pixel touches its 8 neighbours, diagonals included), as in the CAM paper's and
  Choe et al.'s code (OpenCV's contours are 8-connected too).

Boxes have their own conventions, in :mod:`wsl_lib.boxes`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EIGHT_CONNECTED", "IGNORE_INDEX"]

#: The label of a pixel whose class is unknown, in per-pixel label maps (as on PASCAL VOC).
IGNORE_INDEX = 255

#: The structure of 8-connectivity for ``scipy.ndimage.label``: ``(3, 3)`` bool, all True.
EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)
EIGHT_CONNECTED.setflags(write=False)
