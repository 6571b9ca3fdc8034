"""Flatten uneven lighting and tinted paper by dividing by an estimate of the bare paper."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.analysis import downscale


def estimate_paper(grey: np.ndarray) -> np.ndarray:
    """The page as it would look without ink, at low resolution (max side 300 px)."""
    small, _ = downscale(grey, 300)
    # Closing with a kernel wider than a stroke erases dark text and keeps the paper.
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    return cv2.medianBlur(paper, 7)


def lighting_is_uneven(paper: np.ndarray) -> bool:
    """True when the paper is far from an even white: shadows, gradients, coloured stock."""
    low, median, high = np.percentile(paper, [5, 50, 95])
    return bool(high - low > 25 or median < 200)


def flatten_lighting(grey: np.ndarray, paper_small: np.ndarray) -> np.ndarray:
    paper = cv2.resize(paper_small, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    paper = np.maximum(paper, 1)
    return cv2.divide(grey, paper, scale=255)
