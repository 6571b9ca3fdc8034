"""One connected-component analysis of a page's ink, shared by the steps that need it."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.preprocess.analysis import ink_mask, label_components


@dataclass(frozen=True, slots=True)
class Components:
    labels: np.ndarray  # int32 label per pixel; 0 = paper
    heights: np.ndarray  # per label (index 0 is the background)
    widths: np.ndarray
    areas: np.ndarray
    centroids: np.ndarray  # (n, 2) x, y


def ink_components(grey: np.ndarray) -> Components:
    count, labels, stats, centroids = label_components(ink_mask(grey))
    del count
    return Components(labels, stats[:, cv2.CC_STAT_HEIGHT].copy(),
                      stats[:, cv2.CC_STAT_WIDTH].copy(), stats[:, cv2.CC_STAT_AREA].copy(),
                      centroids)
