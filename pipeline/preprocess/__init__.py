"""Per-page image clean-up with OpenCV, each step applied only when a measurement says it helps."""
