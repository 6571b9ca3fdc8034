"""One connected-component analysis of a page's ink, shared by the steps that need it."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.preprocess.analysis import label_components
from pipeline.preprocess.sparse import ink_threshold


@dataclass(frozen=True, slots=True)
class Components:
    labels: np.ndarray  # int32 label per pixel; 0 = paper
    heights: np.ndarray  # per label (index 0 is the background)
    widths: np.ndarray
    areas: np.ndarray
    centroids: np.ndarray  # (n, 2) x, y
    lefts: np.ndarray  # box corner per label
    tops: np.ndarray


def ink_components(grey: np.ndarray, threshold: float | None = None) -> Components:
    """Ink blobs, the ink cut off below a nearly blank page's grain (see ``sparse``).

    ``threshold``: the page's ``ink_threshold`` level when the caller has it already.
    """
    if threshold is None:
        threshold = ink_threshold(grey)[0]
    _, mask = cv2.threshold(grey, threshold, 1, cv2.THRESH_BINARY_INV)
    count, labels, stats, centroids = label_components(mask)
    del count
    return Components(labels, stats[:, cv2.CC_STAT_HEIGHT].copy(),
                      stats[:, cv2.CC_STAT_WIDTH].copy(), stats[:, cv2.CC_STAT_AREA].copy(),
                      centroids, stats[:, cv2.CC_STAT_LEFT].copy(),
                      stats[:, cv2.CC_STAT_TOP].copy())
