"""Body pose landmarks and a person mask from one photo, with MediaPipe Pose (offline, CPU).

MediaPipe's legacy ``solutions.pose`` (and ``solutions.hands`` for :class:`HandDetector`,
``solutions.selfie_segmentation`` for :class:`PersonSegmenter`) ships its model inside the wheel,
so nothing is downloaded at run time. MediaPipe is the ``tryon`` extra: without it, every call
here raises :class:`PoseUnavailable` naming what to install. A graph is loaded on first use (it takes ~0.5 s) and reused.
A graph serves one call at a time, so each kind keeps a small pool of them (:data:`GRAPHS`): a
try-on asks the pose model about the person and about the garment photo at the same moment, on
two threads, and with one graph the second call would wait for the first.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from vestis.errors import Unavailable

__all__ = [
    "GRAPHS",
    "LANDMARKS",
    "HandDetector",
    "PersonSegmenter",
    "Pose",
    "PoseEstimator",
    "PoseUnavailable",
]

GRAPHS = 2
"""Most graphs of one kind loaded at once (calls beyond that wait for a free one)."""

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


class PoseUnavailable(Unavailable):
    """MediaPipe is not installed (it is the ``tryon`` extra), so bodies and hands cannot be analysed (503)."""


@dataclass(frozen=True)
class Pose:
    """Landmarks in pixel coordinates ``(x, y)``, their visibility (0..1) and the person mask."""

    points: dict[str, tuple[float, float]]
    visibility: dict[str, float]
    mask: np.ndarray


class PoseEstimator:
    """MediaPipe Pose (complexity 1, segmentation on), loaded lazily and shared process-wide."""

    def estimate(self, rgb: np.ndarray) -> Pose | None:
        """Pose of the most prominent person in an H×W×3 uint8 image, or ``None`` if nobody is found."""
        with _POSES.borrowed() as model:
            result = model.process(np.ascontiguousarray(rgb[..., :3]))
        if result.pose_landmarks is None:
            return None
        height, width = rgb.shape[:2]
        marks = result.pose_landmarks.landmark
        points = {name: (marks[i].x * width, marks[i].y * height) for name, i in LANDMARKS.items()}
        visibility = {name: float(marks[i].visibility) for name, i in LANDMARKS.items()}
        segmentation = result.segmentation_mask
        mask = np.zeros(rgb.shape[:2], bool) if segmentation is None else segmentation > 0.5
        return Pose(points=points, visibility=visibility, mask=mask)


class HandDetector:
    """MediaPipe Hands (palm detector and the lite landmark model), loaded lazily and shared process-wide."""

    def count(self, rgb: np.ndarray) -> int:
        """How many hands (at most two) MediaPipe finds in an H×W×3 uint8 image."""
        with _HANDS.borrowed() as model:
            result = model.process(np.ascontiguousarray(rgb[..., :3]))
        return 0 if result.multi_hand_landmarks is None else len(result.multi_hand_landmarks)


class PersonSegmenter:
    """MediaPipe selfie segmentation (general model): every person in a photo, loaded lazily and shared."""

    def mask(self, rgb: np.ndarray) -> np.ndarray:
        """H×W bool mask of every person in an H×W×3 uint8 image."""
        with _SEGMENTERS.borrowed() as model:
            result = model.process(np.ascontiguousarray(rgb[..., :3]))
        return result.segmentation_mask > 0.5


# ------------------------------------------------------------------------------ helpers
class _GraphPool:
    """Up to :data:`GRAPHS` MediaPipe graphs made by ``factory``, each lent to one call at a time."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._free: queue.LifoQueue[Any] = queue.LifoQueue()
        self._made = 0
        self._lock = threading.Lock()

    @contextmanager
    def borrowed(self) -> Iterator[Any]:
        """A free graph (a new one while fewer than :data:`GRAPHS` exist; else wait for one)."""
        try:
            graph = self._free.get_nowait()
        except queue.Empty:
            graph = self._made_or_waited()
        try:
            yield graph
        finally:
            self._free.put(graph)

    def _made_or_waited(self) -> Any:
        """A new graph while fewer than :data:`GRAPHS` exist, else the next one returned.

        A graph that fails to load does not count, so a missing MediaPipe gives every caller
        the error instead of leaving later callers waiting for graphs that never come.
        """
        with self._lock:
            make = self._made < GRAPHS
            self._made += make
        if not make:
            return self._free.get()
        try:
            return self._factory()
        except BaseException:
            with self._lock:
                self._made -= 1
            raise


def _mediapipe() -> Any:
    """The ``mediapipe`` module, imported on first use (the import is slow); see :class:`PoseUnavailable`."""
    try:
        import mediapipe
    except ImportError as error:
        raise PoseUnavailable(
            "body and hand analysis (virtual try-on, person checks) needs MediaPipe: pip install 'vestis[tryon]'"
        ) from error
    return mediapipe


def _pose_graph() -> Any:
    return _mediapipe().solutions.pose.Pose(
        static_image_mode=True, model_complexity=1, enable_segmentation=True
    )


def _hands_graph() -> Any:
    return _mediapipe().solutions.hands.Hands(
        static_image_mode=True, max_num_hands=2, model_complexity=0, min_detection_confidence=0.5
    )


def _segmenter_graph() -> Any:
    return _mediapipe().solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)


_POSES = _GraphPool(_pose_graph)
_HANDS = _GraphPool(_hands_graph)
_SEGMENTERS = _GraphPool(_segmenter_graph)
