"""Body pose landmarks and a person mask from one photo, with MediaPipe Pose (offline, CPU).

MediaPipe's legacy ``solutions.pose`` (and ``solutions.hands``, for :class:`HandDetector`) ships
its model inside the wheel, so nothing is downloaded at run time. The model is loaded once per process (it takes ~0.5 s) and reused;
a lock keeps the single graph safe when several threads render at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

__all__ = ["LANDMARKS", "HandDetector", "Pose", "PoseEstimator"]

LANDMARKS: dict[str, int] = {
    "nose": 0,
    "left_eye": 2,
    "right_eye": 5,
    "left_ear": 7,
    "right_ear": 8,
    "mouth_left": 9,
    "mouth_right": 10,
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_elbow": 13,
    "right_elbow": 14,
    "left_wrist": 15,
    "right_wrist": 16,
    "left_pinky": 17,
    "right_pinky": 18,
    "left_index": 19,
    "right_index": 20,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
    "left_heel": 29,
    "right_heel": 30,
    "left_foot_index": 31,
    "right_foot_index": 32,
}
"""The MediaPipe landmark indices Vestis uses, by name ("left" is the person's own left)."""


@dataclass(frozen=True)
class Pose:
    """Landmarks in pixel coordinates ``(x, y)``, their visibility (0..1) and the person mask."""

    points: dict[str, tuple[float, float]]
    visibility: dict[str, float]
    mask: np.ndarray


class PoseEstimator:
    """MediaPipe Pose (complexity 1, segmentation on), created lazily and shared process-wide."""

    _model = None
    _lock = threading.Lock()

    def estimate(self, rgb: np.ndarray) -> Pose | None:
        """Pose of the most prominent person in an H×W×3 uint8 image, or ``None`` if nobody is found."""
        with self._lock:
            result = self._get_model().process(np.ascontiguousarray(rgb[..., :3]))
        if result.pose_landmarks is None:
            return None
        height, width = rgb.shape[:2]
        marks = result.pose_landmarks.landmark
        points = {name: (marks[i].x * width, marks[i].y * height) for name, i in LANDMARKS.items()}
        visibility = {name: float(marks[i].visibility) for name, i in LANDMARKS.items()}
        segmentation = result.segmentation_mask
        mask = np.zeros(rgb.shape[:2], bool) if segmentation is None else segmentation > 0.5
        return Pose(points=points, visibility=visibility, mask=mask)

    @classmethod
    def _get_model(cls):  # noqa: ANN206 - mediapipe has no type hints
        """The shared MediaPipe graph, created on first use (import is deferred: it is slow)."""
        if cls._model is None:
            import mediapipe as mp

            cls._model = mp.solutions.pose.Pose(
                static_image_mode=True, model_complexity=1, enable_segmentation=True
            )
        return cls._model


class HandDetector:
    """MediaPipe Hands (palm detector and the lite landmark model), created lazily and shared process-wide."""

    _model = None
    _lock = threading.Lock()

    def count(self, rgb: np.ndarray) -> int:
        """How many hands (at most two) MediaPipe finds in an H×W×3 uint8 image."""
        with self._lock:
            result = self._get_model().process(np.ascontiguousarray(rgb[..., :3]))
        return 0 if result.multi_hand_landmarks is None else len(result.multi_hand_landmarks)

    @classmethod
    def _get_model(cls):  # noqa: ANN206 - mediapipe has no type hints
        """The shared MediaPipe graph, created on first use (import is deferred: it is slow)."""
        if cls._model is None:
            import mediapipe as mp

            cls._model = mp.solutions.hands.Hands(
                static_image_mode=True, max_num_hands=2, model_complexity=0, min_detection_confidence=0.5
            )
        return cls._model
