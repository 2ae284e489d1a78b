"""Person analysis: pose landmarks and person mask → named body regions and the clothing to replace.

Regions are drawn from the skeleton (a torso polygon from shoulders to hips, thick segments for
the arms, discs for hands and head) and clipped to the person mask. The current clothing is the
torso/upper-arm area of the person that does not look like skin, where the skin colour is
sampled from the face so it adapts to every skin tone and to the photo's lighting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from vestis.tryon.errors import TryOnError
from vestis.tryon.types import (
    SIDES,
    BodyMasks,
    Keypoints,
    Landmarks,
    LowerBodyMasks,
    Point,
    Side,
    SideKeypoints,
)
from vestis.vision.colour import rgb_to_lab, squared_distance
from vestis.vision.pose import PersonSegmenter, PoseEstimator
from vestis.vision.segment import bounding_box, labels_in

__all__ = ["LEG_WIDTHS", "Body", "BodyAnalyser", "body_proportions", "facing", "require_legs"]

_MIN_VISIBILITY = 0.5
_BOX_MARGIN = 8
"""Pixels around the person mask's bounding box that the regions are drawn on (see :meth:`BodyAnalyser.analyse`)."""
_FACE_VISIBILITY = 0.3
_SKIN_DISTANCE = 14.0
"""Largest CIELAB distance (a, b weighted fully, L at a third) from the face colour that counts as skin."""
_SKIN_WEIGHTS = (0.33, 1.0, 1.0)
"""CIELAB channel weights (L, a, b) of that distance."""
_SIDE_VIEW = 0.35
"""Smallest shoulder spread (left minus right, image x) per torso length of a person facing the
camera; photos facing it measure 0.58–0.75."""
_OTHER_PERSON = 0.3
"""Area, as a share of the tracked person's, of a separate figure that counts as another person."""
_NO_PERSON = "no person found in the person photo; use a photo of one person, facing the camera"
_MODELS_AGREE = 0.5
"""Share of the pose model's person the selfie segmentation must also see for it to be a person."""
_PROPORTIONS = {"torso": (0.9, 3.5), "head": (0.3, 1.3), "eyes": (0.06, 0.45), "silhouette": (0.9, 20.0)}
"""Bounds of a person's proportions (see :func:`_plausible_body`)."""
_SLEEVED = 0.3
"""Share of the upper arms the old clothing must cover for the person to count as wearing sleeves."""
_SLEEVE_COLOUR = 25.0
"""Largest CIELAB distance from the upper arms' clothing colour that counts as the same sleeve."""
_BODY_SKIN_PIXELS = 500
"""Bare arm and neck pixels needed to take the skin colour from the body rather than the face."""
_SHOULDER_RISE = (0.04, 0.16)
"""Least and most height, in shoulder widths, of the top of the shoulder above its joint."""
_WAIST_RISE = 0.12
"""Waist line above, and crotch below, the hip joints as a fraction of the shoulder-to-hip length."""
_ANKLE_DROP = 0.1
"""How far below the ankle joint the calf region ends, as a fraction of the knee-to-ankle length."""
_HAND_SKIN = 0.25
"""Share of a hand disc that must look like skin for the skin alone to count as the hand."""
_LOOSE_SLEEVE = 1.8
"""Width, in arm widths, out to which a loose old sleeve beside the arm is looked for."""
_MAIN_COLOUR = 0.25
"""Share of the clothing's pixels a colour needs to count as one of its main colours."""
_CLOTHING_DISTANCE = 20.0
"""Largest CIELAB distance from a main colour of the clothing on the torso that counts as that clothing."""
_ARMPIT_DEPTH = 0.2
"""Armpits below the shoulder joints as a fraction of the shoulder-to-hip length."""
_MIN_SAMPLE = 50
"""Fewest pixels from which a clothing colour is taken."""
_DISTINCT_COLOURS = 15.0
"""Smallest CIELAB distance between a top and trousers for telling them apart by colour."""
LEG_WIDTHS = {"knee": 0.3, "ankle": 0.2}
"""Leg width at the knee and at the ankle as a fraction of the hip width."""
_KNEE_LENGTH = 1.15
"""Hem reach (1 = the knees) beyond which a garment needs the ankles in the photo too."""


@dataclass(frozen=True)
class Body:
    """Keypoints (pixels), boolean region masks (H×W) and the sampled skin colour of one person."""

    keypoints: Keypoints
    masks: BodyMasks
    skin_rgb: np.ndarray
    shoulder_width: float
    visible: frozenset[str] = frozenset()
    """Landmark names seen with confidence inside the frame (legs may be cut off by the photo)."""


class BodyAnalyser:
    """Find the person in a photo and split them into regions the compositor needs."""

    def __init__(self, estimator: PoseEstimator | None = None) -> None:
        self.estimator = estimator or PoseEstimator()

    def analyse(self, rgb: np.ndarray) -> Body:
        """Regions of the single, front-facing person in ``rgb`` (H×W×3 uint8).

        Raises :class:`TryOnError` when nobody is found, several people are, the person is
        seen from the back, or the shoulders and hips are not both in the picture.
        """
        pose = self.estimator.estimate(rgb)
        if pose is None or pose.mask.mean() < 0.01:
            raise TryOnError(_NO_PERSON)
        _check_one_person(rgb, pose.mask)
        vis, pts = pose.visibility, pose.points
        needed = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
        missing = [name for name in needed if vis[name] < _MIN_VISIBILITY]
        if missing:
            raise TryOnError(
                f"the person's {', '.join(missing)} are not visible; shoulders and hips must be in the photo"
            )
        view = facing(pts, vis)
        if view == "back":
            raise TryOnError("the person seems to be seen from the back; use a photo facing the camera")
        if view == "side" and min(pts[name][1] for name in ("nose", "left_eye", "right_eye")) < 0:
            raise TryOnError(
                "the person's pose could not be read: the head is cut off by the top of the photo; "
                "use a photo that shows the head and shoulders, facing the camera"
            )
        if view == "side":
            raise TryOnError(
                "the person seems to be turned sideways (the shoulders are not side by side); "
                "use a photo facing the camera"
            )
        if not _plausible_body(pts, pose.mask):
            raise TryOnError(_NO_PERSON)
        # The regions are drawn on the box around the person only (every one of them lies in
        # the person or between their legs): the same masks for half the work on a full-length photo.
        box = bounding_box(pose.mask, _BOX_MARGIN)
        offset = np.array([box[1].start, box[0].start], dtype=np.float64)
        inside = {name: (x - offset[0], y - offset[1]) for name, (x, y) in pts.items()}
        body = _regions(rgb[box], pose.mask[box], Landmarks.from_names(inside), vis)
        return Body(
            keypoints=body.keypoints.shifted(offset[0], offset[1]),
            masks=body.masks.apply(lambda mask: _uncropped(mask, box, rgb.shape[:2])),
            skin_rgb=body.skin_rgb,
            shoulder_width=body.shoulder_width,
            visible=_visible(pts, vis, rgb.shape),
        )


def facing(points: dict[str, tuple[float, float]], visibility: dict[str, float]) -> str:
    """``front``, ``back`` or ``side``: which way a person faces, from pose landmarks (pixels).

    Facing the camera, the person's left shoulder is on the image's right, as are their left
    eye and ear. Seen from the back the face is hidden, or the shoulders *and* the face read
    mirrored. Shoulders closer together than :data:`_SIDE_VIEW` torso lengths, or reading
    mirrored while the face does not, mean a turned body (a profile, or landmarks the model
    could not place).
    """
    face_seen = max(visibility["nose"], visibility["left_eye"], visibility["right_eye"]) >= _FACE_VISIBILITY
    if not face_seen:
        return "back"
    shoulders_y = (points["left_shoulder"][1] + points["right_shoulder"][1]) / 2
    torso = max((points["left_hip"][1] + points["right_hip"][1]) / 2 - shoulders_y, 1.0)
    spread = (points["left_shoulder"][0] - points["right_shoulder"][0]) / torso
    face = (points["left_eye"][0] - points["right_eye"][0]) + (points["left_ear"][0] - points["right_ear"][0])
    if spread < 0 and face < 0:
        return "back"
    return "side" if spread < _SIDE_VIEW else "front"


def body_proportions(points: dict[str, tuple[float, float]], mask: np.ndarray) -> dict[str, float]:
    """A figure's proportions, in shoulder widths: ``torso`` (shoulders to hips), ``head`` (nose
    above the shoulders) and ``eyes`` (apart; both left out when the head is cut off by the
    photo's top), and ``silhouette`` (the mask's height over its width)."""
    p = {name: np.array(xy) for name, xy in points.items()}
    width = max(float(np.linalg.norm(p["left_shoulder"] - p["right_shoulder"])), 1.0)
    shoulders = (p["left_shoulder"][1] + p["right_shoulder"][1]) / 2
    measures = {"torso": float((p["left_hip"][1] + p["right_hip"][1]) / 2 - shoulders) / width}
    if p["nose"][1] >= 0:
        measures["head"] = float(shoulders - p["nose"][1]) / width
        measures["eyes"] = float(np.linalg.norm(p["left_eye"] - p["right_eye"])) / width
    ys, xs = np.nonzero(mask)
    measures["silhouette"] = float((np.ptp(ys) + 1) / (np.ptp(xs) + 1)) if ys.size else 0.0
    return measures


def _plausible_body(points: dict[str, tuple[float, float]], mask: np.ndarray) -> bool:
    """Whether :func:`body_proportions` are a person's: within :data:`_PROPORTIONS`.

    The pose model can place a skeleton on a shoe or a watch; there the proportions are off
    (an object often has its "hips" above its "shoulders"). The bounds leave wide margins
    around what person photos measure (``python -m benchmarks.tryon_refusals``).
    """
    measures = body_proportions(points, mask)
    return all(
        low <= measures[name] <= high for name, (low, high) in _PROPORTIONS.items() if name in measures
    )


def require_legs(body: Body, reach: float, garment: str) -> None:
    """Raise :class:`TryOnError` unless the photo shows the legs down to where ``garment`` ends.

    ``reach`` is how far down the leg its hem lands (0 the hips, 1 the knees, 2 the ankles, see
    :func:`vestis.tryon.warp.hem_reach`): the knees are always needed to place a lower garment
    or a dress, the ankles too when it ends below the knees.
    """
    needed = ["knees", "ankles"] if reach > _KNEE_LENGTH else ["knees"]
    missing = [joint for joint in needed if not {f"left_{joint[:-1]}", f"right_{joint[:-1]}"} <= body.visible]
    if missing:
        length = " that ends below the knees" if len(needed) == 2 else ""
        raise TryOnError(
            f"the person's {' and '.join(missing)} are not in the photo; a {garment}{length} needs a "
            f"photo that shows the person down to the {needed[-1]}"
        )


def _check_one_person(rgb: np.ndarray, mask: np.ndarray) -> None:
    """Raise when the photo holds no person after all, or two or more large, separate figures.

    Everyone is segmented again with MediaPipe's selfie segmentation. The pose model can place
    a skeleton on an object (a shoe, say); there the second model sees nobody: it covers at
    least 96 % of the pose model's person in real person photos, nothing of a shoe. And the pose
    model segments only the person it tracks, so a figure away from them (single-person photos
    leave at most 0.5 % of the person's area there) is someone else.
    """
    everyone = PersonSegmenter().mask(rgb)
    if (everyone & mask).sum() < _MODELS_AGREE * mask.sum():
        raise TryOnError(_NO_PERSON)
    outside = everyone & ~(cv2.dilate(mask.astype(np.uint8), np.ones((25, 25), np.uint8)) > 0)
    _, _, stats, _ = cv2.connectedComponentsWithStats((mask | outside).astype(np.uint8), connectivity=8)
    areas = np.sort(stats[1:, cv2.CC_STAT_AREA])[::-1]
    figures = int((areas > _OTHER_PERSON * mask.sum()).sum())
    if figures > 1:
        raise TryOnError(f"found {figures} people in the person photo; use a photo of one person")


def _regions(
    rgb: np.ndarray, person: np.ndarray, landmarks: Landmarks, visibility: Mapping[str, float]
) -> Body:
    """Draw the skeleton regions, clip them to the person and find the clothing to replace."""
    shape = person.shape
    left, right = landmarks.left, landmarks.right
    width = float(np.linalg.norm(_at(left.shoulder) - _at(right.shoulder)))
    corners = {side: _corners(person, landmarks, side, width) for side in SIDES}
    arm = max(4, round(0.26 * width))
    shoulder_line = float(_at(left.shoulder)[1] + _at(right.shoulder)[1]) / 2
    hip_line = float(_at(left.hip)[1] + _at(right.hip)[1]) / 2
    upper_arms = _upper_arms(shape, landmarks, arm)
    torso = _torso(person, corners, upper_arms, shoulder_line + _ARMPIT_DEPTH * (hip_line - shoulder_line))
    forearms, hands = _forearms_and_hands(shape, landmarks, visibility, arm, width)
    hands &= person
    upper_arms &= person & ~torso
    forearms &= person & ~upper_arms
    head = _Head.of(landmarks, width)
    neck_line = float(min(_at(left.shoulder)[1], _at(right.shoulder)[1]))
    face = _face(person, head, neck_line) & ~upper_arms & ~torso
    above_shoulders = _above(shape, neck_line + 0.08 * width)
    neck = person & above_shoulders & ~face & ~upper_arms
    lab = rgb_to_lab(rgb, precise=False)
    skin, skin_rgb = _skin(rgb, lab, person, face, upper_arms | forearms | neck, head)
    hands = _hand_pixels(hands, skin)
    torso &= ~hands  # a hand on the body is in front of it
    # Above the shoulders (neck, tops of the upper arms) only what looks like the clothing on the
    # torso is clothing (a collar, a strap); hair falling there is not.
    clothing = _main_colours(lab, torso & ~skin & _above(shape, (shoulder_line + hip_line) / 2))
    below_chin = ~_above(shape, head.centre[1] + 0.6 * head.radius)
    up_top = _near_colours(
        lab, (neck | (upper_arms & above_shoulders) | (face & below_chin)) & ~skin, clothing
    )
    face &= ~up_top  # a collar reaching into the circle drawn round the head
    beside_arms = person & ~torso & ~upper_arms & ~face & ~skin & ~above_shoulders
    drawn_arms = upper_arms | forearms  # the arms as wide as an arm, where a loose sleeve is not
    upper_arms |= _loose_sleeves(lab, landmarks, arm, beside_arms, clothing)
    worn = (torso | (upper_arms & ~above_shoulders) | up_top) & person
    old_clothing = _old_clothing(lab, worn & ~skin, forearms & person & ~skin & ~hands, upper_arms) & ~face
    hands &= ~face
    skin &= person
    lower = _lower_regions(rgb, lab, landmarks, width, person, forearms | hands, skin, old_clothing, face)
    keypoints = Keypoints(
        nose=landmarks.nose,
        left=_side_keypoints(landmarks, "left", corners["left"], lower),
        right=_side_keypoints(landmarks, "right", corners["right"], lower),
        neck=_point((_at(left.shoulder) + _at(right.shoulder)) / 2),
        waist=lower.waist,
        crotch=lower.crotch,
    )
    masks = BodyMasks(
        person=person,
        torso=torso,
        upper_arms=upper_arms,
        forearms=forearms,
        arms=upper_arms | forearms,
        arms_drawn=drawn_arms,
        hands=hands,
        neck=neck,
        face=face,
        legs=person & ~_above(shape, max(_at(left.hip)[1], _at(right.hip)[1])) & ~torso,
        skin=skin,
        old_clothing=old_clothing,
        **vars(lower.masks),
    )
    return Body(keypoints=keypoints, masks=masks, skin_rgb=skin_rgb, shoulder_width=width)


@dataclass(frozen=True)
class _Corners:
    """The outer corners of one side's shoulder and hip (see :class:`~vestis.tryon.types.SideKeypoints`)."""

    shoulder_edge: Point
    shoulder_top: Point
    hip_edge: Point


@dataclass(frozen=True)
class _Head:
    """A disc around the head's landmarks (nose, eyes, ears)."""

    centre: np.ndarray
    radius: float

    @classmethod
    def of(cls, landmarks: Landmarks, shoulder_width: float) -> _Head:
        """The head of ``landmarks``, at least as wide as a third of the shoulders."""
        left, right = landmarks.left, landmarks.right
        points = np.array([_at(xy) for xy in (landmarks.nose, left.eye, right.eye, left.ear, right.ear)])
        return cls(points.mean(axis=0), max(float(np.ptp(points[:, 0])) * 0.9, 0.35 * shoulder_width))


@dataclass(frozen=True)
class _LowerBody:
    """The waist line and the regions below it (see :func:`_lower_regions`)."""

    waist: Point
    crotch: Point
    waists: dict[Side, Point]
    hip_sides: dict[Side, Point]
    masks: LowerBodyMasks


def _corners(person: np.ndarray, landmarks: Landmarks, side: Side, shoulder_width: float) -> _Corners:
    """Where the body's outline lies around ``side``'s shoulder and hip: the landmarks are joint
    centres, the body's edge lies outside them."""
    own, other = landmarks.side(side), landmarks.side("right" if side == "left" else "left")
    across = (_at(own.shoulder) - _at(other.shoulder)) / max(shoulder_width, 1.0)
    shoulder_edge = _point(_at(own.shoulder) + across * 0.1 * shoulder_width)
    return _Corners(
        shoulder_edge=shoulder_edge,
        shoulder_top=_shoulder_top(person, _at(own.shoulder), shoulder_edge, shoulder_width),
        hip_edge=_point(_at(own.hip) + across * 0.12 * shoulder_width),
    )


def _side_keypoints(landmarks: Landmarks, side: Side, corners: _Corners, lower: _LowerBody) -> SideKeypoints:
    """``side``'s landmarks with the outline points measured around them."""
    return SideKeypoints(
        **vars(landmarks.side(side)),
        shoulder_edge=corners.shoulder_edge,
        shoulder_top=corners.shoulder_top,
        hip_edge=corners.hip_edge,
        waist=lower.waists[side],
        hip_side=lower.hip_sides[side],
    )


def _upper_arms(shape: tuple[int, ...], landmarks: Landmarks, thickness: int) -> np.ndarray:
    """Both upper arms drawn from shoulder to elbow, ``thickness`` pixels wide."""
    upper_arms = np.zeros(shape, bool)
    for side in SIDES:
        own = landmarks.side(side)
        upper_arms |= _segment(shape, _at(own.shoulder), _at(own.elbow), thickness)
    return upper_arms


def _torso(
    person: np.ndarray, corners: dict[Side, _Corners], upper_arms: np.ndarray, armpits: float
) -> np.ndarray:
    """The person between the tops of the shoulders (beside the neck) and the hip corners; below
    the ``armpits`` line an upper arm hanging beside the body is arm, not torso."""
    left, right = corners["left"], corners["right"]
    outline = np.array(
        [(right.shoulder_edge[0], right.shoulder_top[1]), (left.shoulder_edge[0], left.shoulder_top[1])]
        + [left.hip_edge, right.hip_edge]
    )
    return _polygon(person.shape, outline) & person & ~(upper_arms & ~_above(person.shape, armpits))


def _forearms_and_hands(
    shape: tuple[int, ...],
    landmarks: Landmarks,
    visibility: Mapping[str, float],
    arm: int,
    shoulder_width: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Forearms drawn from elbow to wrist and discs around the hands, for the joints the pose
    model saw with confidence (a guessed wrist would paint a hand on the background)."""
    forearms, hands = np.zeros(shape, bool), np.zeros(shape, bool)
    for side in SIDES:
        own = landmarks.side(side)
        if visibility[f"{side}_elbow"] >= _MIN_VISIBILITY:
            forearms |= _segment(shape, _at(own.elbow), _at(own.wrist), round(arm * 0.85))
        if visibility[f"{side}_wrist"] >= _MIN_VISIBILITY:
            centre = (_at(own.wrist) + _at(own.index) + _at(own.pinky)) / 3
            hands |= _disc(shape, centre, 0.3 * shoulder_width)
    return forearms, hands


def _face(person: np.ndarray, head: _Head, neck_line: float) -> np.ndarray:
    """The person in a disc around the head and above the chin or the shoulders, whichever is higher."""
    neck_top = head.centre[1] + 0.6 * head.radius
    disc = _disc(person.shape, head.centre, 1.25 * head.radius)
    return person & (disc | _above(person.shape, min(neck_top, neck_line)))


def _skin(
    rgb: np.ndarray, lab: np.ndarray, person: np.ndarray, face: np.ndarray, bare: np.ndarray, head: _Head
) -> tuple[np.ndarray, np.ndarray]:
    """The person's skin and its colour (RGB), sampled from the face and, where enough of them
    shows, from the ``bare`` parts too (arms, neck): the body's skin often differs from the face's
    (make-up, light), and a bare chest or shoulder must not be taken for clothing."""
    skin_rgb = _skin_colour(rgb, face, head.centre, head.radius)
    skin = np.zeros(person.shape, bool)
    person_lab = lab[person]
    skin[person] = _skin_near(person_lab, skin_rgb)
    body_skin = skin & bare
    if body_skin.sum() >= _BODY_SKIN_PIXELS:
        skin_rgb = np.median(rgb[body_skin], axis=0).astype(np.float32)
        skin[person] |= _skin_near(person_lab, skin_rgb)
    return skin, skin_rgb


def _loose_sleeves(
    lab: np.ndarray, landmarks: Landmarks, arm: int, beside_arms: np.ndarray, clothing: np.ndarray
) -> np.ndarray:
    """The rest of a loose sleeve, which reaches beyond the arm drawn for it: pixels of
    ``beside_arms`` near an upper arm in the ``clothing``'s colours."""
    near = np.zeros(beside_arms.shape, bool)
    for side in SIDES:
        own = landmarks.side(side)
        near |= _segment(beside_arms.shape, _at(own.shoulder), _at(own.elbow), round(_LOOSE_SLEEVE * arm))
    return _near_colours(lab, near & beside_arms, clothing)


def _old_clothing(
    lab: np.ndarray, worn: np.ndarray, forearm_cloth: np.ndarray, upper_arms: np.ndarray
) -> np.ndarray:
    """The top the person wears: the ``worn`` pixels (torso, upper arms, a collar; not skin) with
    small gaps closed, and its sleeves down the forearms (see :func:`_old_sleeves`)."""
    old_clothing = cv2.morphologyEx(worn.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)) > 0
    return old_clothing | _old_sleeves(lab, forearm_cloth, old_clothing & upper_arms, upper_arms)


@dataclass(frozen=True)
class _Hips:
    """The hip joints' midpoint, the unit vector across them (towards the left hip), the hip width
    measured on the person and the waist line and crotch above and below the midpoint."""

    centre: np.ndarray
    across: np.ndarray
    width: float
    waist: np.ndarray
    crotch: np.ndarray

    def side(self, side: Side) -> np.ndarray:
        """Where the hips end on ``side``, at the height of the hip joints."""
        return self.centre + _sign(side) * self.across * 0.5 * self.width


def _lower_regions(
    rgb: np.ndarray,
    lab: np.ndarray,
    landmarks: Landmarks,
    shoulder_width: float,
    person: np.ndarray,
    arms: np.ndarray,
    skin: np.ndarray,
    top: np.ndarray,
    face: np.ndarray,
) -> _LowerBody:
    """The waist line, hips, legs and feet, and the lower clothing to replace, of the ``person``
    whose ``arms`` (forearms and hands), ``skin``, ``top`` (the old clothing above) and ``face`` are found.

    ``lower_body`` is the person between the waist line and the feet, less ``arms_front``: the
    forearm and hand pixels not in the colour of the clothing on the thighs (skin when the legs
    are bare), as the regions drawn around a hand beside the hip also hold some of the trousers
    behind it, and less ``top_front``: a top worn over the waistband (see :func:`_hanging_top`).
    ``between_legs`` is the background between the legs (each row of ``lower_body`` below the
    crotch, filled across): the one place a skirt may cover.
    """
    shape = person.shape
    hips = _hips(landmarks, shoulder_width, person & ~arms)
    waists = {side: _point(hips.waist + _sign(side) * hips.across * 0.47 * hips.width) for side in SIDES}
    hip_sides = {side: _point(hips.side(side)) for side in SIDES}
    thighs, calves, feet = _legs(shape, landmarks, hips)
    hip_outline = np.array(
        [waists["right"], waists["left"], hip_sides["left"], tuple(hips.crotch), hip_sides["right"]]
    )
    hip_region = _polygon(shape, hip_outline) & person
    feet &= person & ~_above(shape, min(_at(landmarks.left.ankle)[1], _at(landmarks.right.ankle)[1]))
    on_thighs = thighs & person & ~skin & ~arms
    arms_front = _arms_front(rgb, lab, arms, skin, on_thighs)
    waist_line, crotch_line = float(hips.waist[1]), float(hips.crotch[1])
    below_waist = person & ~_above(shape, waist_line)
    top_front = _hanging_top(
        lab, top & _above(shape, waist_line), on_thighs, below_waist & _above(shape, crotch_line)
    )
    lower_body = below_waist & ~feet & ~arms_front & ~top_front & ~face
    old = lower_body & ~skin
    old = cv2.morphologyEx(old.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)) > 0
    return _LowerBody(
        waist=_point(hips.waist),
        crotch=_point(hips.crotch),
        waists=waists,
        hip_sides=hip_sides,
        masks=LowerBodyMasks(
            hips=hip_region,
            thighs=thighs & person & ~hip_region,
            calves=calves & person & ~thighs & ~feet,
            feet=feet,
            arms_front=arms_front,
            top_front=top_front,
            lower_body=lower_body,
            between_legs=_row_hull(lower_body, crotch_line) & ~person,
            old_lower_clothing=old & lower_body,
        ),
    )


def _hips(landmarks: Landmarks, shoulder_width: float, torso: np.ndarray) -> _Hips:
    """Where the hips are and how wide: the width is measured across ``torso`` (the person without
    the arms) at the hip joints and kept within body proportions of the hip-joint distance; the
    waistband sits a little above the hip joints."""
    left, right = _at(landmarks.left.hip), _at(landmarks.right.hip)
    centre = (left + right) / 2
    joints = float(np.linalg.norm(left - right))
    across = (left - right) / max(joints, 1.0)
    down = np.array([-across[1], across[0]], dtype=np.float32)
    shoulders = _at(landmarks.left.shoulder)[1] + _at(landmarks.right.shoulder)[1]
    torso_length = float(centre[1] - shoulders / 2)
    measured = _run_width(torso, centre)
    low, high = max(1.5 * joints, 0.8 * shoulder_width), max(2.6 * joints, 1.3 * shoulder_width)
    return _Hips(
        centre=centre,
        across=across,
        width=float(np.clip(measured or 1.9 * joints, low, high)),
        waist=centre - down * _WAIST_RISE * torso_length,
        crotch=centre + down * _WAIST_RISE * torso_length,
    )


def _legs(
    shape: tuple[int, ...], landmarks: Landmarks, hips: _Hips
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thighs, calves and feet: tapered polygons along hip → knee → ankle (:data:`LEG_WIDTHS`),
    and hulls of ankle, heel and toe."""
    thighs, calves, feet = (np.zeros(shape, bool) for _ in range(3))
    for side in SIDES:
        own = landmarks.side(side)
        hip, knee, ankle = _at(own.hip), _at(own.knee), _at(own.ankle)
        heel, toe = _at(own.heel), _at(own.foot_index)
        outer_hip = np.array(_point(hips.side(side)), dtype=np.float32)
        knee_out, knee_in = _across_leg(knee, knee - hip, _sign(side), LEG_WIDTHS["knee"] * hips.width)
        # The calf reaches a little past the ankle joint, to the top of the foot (feet are cut off below).
        below = ankle + _ANKLE_DROP * (ankle - knee)
        ankle_out, ankle_in = _across_leg(below, ankle - knee, _sign(side), LEG_WIDTHS["ankle"] * hips.width)
        thighs |= _polygon(shape, np.array([outer_hip, knee_out, knee_in, hips.crotch]))
        calves |= _polygon(shape, np.array([knee_out, ankle_out, ankle_in, knee_in]))
        foot = np.array([ankle, heel, toe])
        feet |= _polygon(shape, cv2.convexHull(foot.astype(np.float32)).reshape(-1, 2))
        feet |= _segment(shape, heel, toe, round(LEG_WIDTHS["ankle"] * hips.width))
    return thighs, calves, feet


def _arms_front(
    rgb: np.ndarray, lab: np.ndarray, arms: np.ndarray, skin: np.ndarray, on_thighs: np.ndarray
) -> np.ndarray:
    """The ``arms`` pixels in front of the trousers: those not in the colour of the clothing on the
    thighs, or the skin where too little of that clothing shows."""
    if on_thighs.sum() <= _MIN_SAMPLE:
        return arms & skin
    clothing = np.median(rgb[on_thighs], axis=0).astype(np.float32)
    front = arms.copy()
    front[arms] = ~_skin_near(lab[arms], clothing)
    return front


def _shoulder_top(
    person: np.ndarray, joint: np.ndarray, edge: tuple[float, float], shoulder_width: float
) -> tuple[float, float]:
    """Top of the shoulder's outline halfway from the joint to the edge, where a top's shoulder
    seam rests: the first person pixel in that column above the joint, kept :data:`_SHOULDER_RISE`
    shoulder widths above it; the middle of that range where hair or the head fills the column."""
    x = (float(joint[0]) + edge[0]) / 2
    column = round(min(max(x, 0), person.shape[1] - 1))
    low, high = (float(joint[1]) - rise * shoulder_width for rise in _SHOULDER_RISE)
    start, stop = max(0, round(high)), max(0, round(float(joint[1])))
    rows = person[start:stop, column]
    if not rows.size or rows[0] or not rows.any():
        return x, float(joint[1]) - sum(_SHOULDER_RISE) / 2 * shoulder_width
    return x, float(np.clip(start + int(rows.argmax()), high, low))


def _hanging_top(lab: np.ndarray, top: np.ndarray, bottom: np.ndarray, band: np.ndarray) -> np.ndarray:
    """Pixels of the hip ``band`` that belong to a top hanging over the trousers.

    They are nearer in CIELAB to the median colour of ``top`` (the upper clothing above the
    waist line) than to that of ``bottom`` (the clothing on the thighs), and joined to the top;
    nothing when either sample is small or the two colours are alike.
    """
    hanging = np.zeros(band.shape, bool)
    if top.sum() < _MIN_SAMPLE or bottom.sum() < _MIN_SAMPLE or not band.any():
        return hanging
    top_lab = np.median(lab[top], axis=0)
    bottom_lab = np.median(lab[bottom], axis=0)
    if np.linalg.norm(top_lab - bottom_lab) < _DISTINCT_COLOURS:
        return hanging
    pixels = lab[band]
    hanging[band] = squared_distance(pixels, top_lab) < squared_distance(pixels, bottom_lab)
    count, labels = cv2.connectedComponents((hanging | top).astype(np.uint8), connectivity=8)
    return hanging & labels_in(labels, count, labels[top])


def _row_hull(mask: np.ndarray, below: float) -> np.ndarray:
    """Each row of ``mask`` under ``below`` filled from its leftmost to its rightmost pixel."""
    rows = mask.any(axis=1)
    rows[: max(0, round(below))] = False
    columns = np.arange(mask.shape[1])
    left = np.where(rows, mask.argmax(axis=1), 0)[:, None]
    right = np.where(rows, mask.shape[1] - 1 - mask[:, ::-1].argmax(axis=1), -1)[:, None]
    return (columns >= left) & (columns <= right) & rows[:, None]


def _across_leg(
    centre: np.ndarray, direction: np.ndarray, sign: float, width: float
) -> tuple[np.ndarray, np.ndarray]:
    """Outer and inner edge points of a leg ``width`` wide at ``centre``, across ``direction``."""
    normal = np.array([direction[1], -direction[0]], dtype=np.float32)
    normal /= max(float(np.linalg.norm(normal)), 1e-6)
    # ``normal`` points to the image's right when the leg runs down; the left leg's outside is there.
    outward = normal * sign * (1.0 if direction[1] >= 0 else -1.0)
    return centre + outward * width / 2, centre - outward * width / 2


def _run_width(mask: np.ndarray, centre: np.ndarray) -> float | None:
    """Width of the run of ``mask`` pixels through ``centre`` on its row, ``None`` when it misses."""
    x, y = (int(v) for v in np.round(centre))
    if not (0 <= y < mask.shape[0] and 0 <= x < mask.shape[1]) or not mask[y, x]:
        return None
    to_left, to_right = mask[y, x::-1], mask[y, x:]
    left = x + 1 - (int(np.argmin(to_left)) if not to_left.all() else x + 1)
    right = x + (int(np.argmin(to_right)) if not to_right.all() else len(to_right))
    return float(right - left)


def _visible(
    pts: dict[str, tuple[float, float]], vis: dict[str, float], shape: tuple[int, ...]
) -> frozenset[str]:
    """Landmarks seen with confidence and inside the frame."""
    height, width = shape[:2]
    return frozenset(
        name
        for name, (x, y) in pts.items()
        if vis[name] >= _MIN_VISIBILITY and 0 <= x < width and 0 <= y < height
    )


def _old_sleeves(
    lab: np.ndarray, forearm_cloth: np.ndarray, upper_cloth: np.ndarray, upper_arms: np.ndarray
) -> np.ndarray:
    """Forearm pixels in the colour of the clothing on the upper arms, when the person wears sleeves
    (clothing covers :data:`_SLEEVED` of the upper arms); a bag or a watch there stays."""
    if not forearm_cloth.any() or upper_cloth.sum() < _SLEEVED * max(int(upper_arms.sum()), 1):
        return np.zeros_like(forearm_cloth)
    reference = np.median(lab[upper_cloth], axis=0)
    sleeves = np.zeros_like(forearm_cloth)
    sleeves[forearm_cloth] = squared_distance(lab[forearm_cloth], reference) < _SLEEVE_COLOUR**2
    return sleeves


def _hand_pixels(discs: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """The skin in the discs drawn around the hands (the clothing around a hand is no hand), or
    the discs themselves where little skin is found there (gloves, a hand in shadow)."""
    near_skin = cv2.dilate(skin.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats((discs & near_skin).astype(np.uint8))
    large = np.nonzero(stats[:, cv2.CC_STAT_AREA] >= _HAND_SKIN * 0.2 * discs.sum())[0]
    refined = labels_in(labels, count, large)
    return refined if refined.sum() >= _HAND_SKIN * discs.sum() else discs


def _main_colours(lab: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """CIELAB main colours of the ``sample`` pixels: k-means clusters (up to three, seeded by
    lightness so a render is reproducible) holding :data:`_MAIN_COLOUR` of it, so a print's
    lettering is none; no colours when the sample is small."""
    if sample.sum() < _MIN_SAMPLE:
        return np.zeros((0, 3), np.float32)
    pixels = lab[sample]
    pixels = pixels[:: max(1, len(pixels) // 4000)].astype(np.float32)
    clusters = min(3, len(pixels))
    tertiles = np.argsort(np.argsort(pixels[:, 0], kind="stable")) * clusters // len(pixels)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, centres = cv2.kmeans(
        pixels, clusters, tertiles.astype(np.int32).reshape(-1, 1), criteria, 1, cv2.KMEANS_USE_INITIAL_LABELS
    )
    return centres[np.bincount(labels.ravel(), minlength=len(centres)) >= _MAIN_COLOUR * len(pixels)]


def _near_colours(lab: np.ndarray, where: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """Pixels of ``where`` within :data:`_CLOTHING_DISTANCE` (CIELAB) of one of ``colours``."""
    near = np.zeros_like(where)
    if not len(colours) or not where.any():
        return near
    pixels = lab[where]
    near[where] = np.any(
        [squared_distance(pixels, colour) < _CLOTHING_DISTANCE**2 for colour in colours], axis=0
    )
    return near


def _skin_colour(rgb: np.ndarray, face: np.ndarray, centre: np.ndarray, radius: float) -> np.ndarray:
    """Median colour of the central face (eyes to chin), away from hair and background."""
    inner = _disc(face.shape, centre + np.array([0, 0.3 * radius]), 0.45 * radius) & face
    pixels = rgb[inner] if inner.sum() > 20 else rgb[face] if face.any() else np.array([[200, 160, 140]])
    return np.median(pixels.reshape(-1, 3), axis=0).astype(np.float32)


def _skin_near(lab: np.ndarray, skin_rgb: np.ndarray) -> np.ndarray:
    """Pixels (CIELAB) whose chroma is near the skin colour and whose lightness is roughly the same."""
    reference = rgb_to_lab(skin_rgb.reshape(1, 1, 3))[0, 0]
    return squared_distance(lab, reference, _SKIN_WEIGHTS) < _SKIN_DISTANCE**2


def _uncropped(mask: np.ndarray, box: tuple[slice, slice], shape: tuple[int, ...]) -> np.ndarray:
    """``mask``, found inside ``box``, in a frame of ``shape`` (height, width) that is empty elsewhere."""
    full = np.zeros(shape, bool)
    full[box] = mask
    return full


def _at(point: Point) -> np.ndarray:
    """``point`` as the float32 vector the regions are drawn with."""
    return np.array(point, dtype=np.float32)


def _point(vector: np.ndarray) -> Point:
    x, y = vector
    return float(x), float(y)


def _sign(side: Side) -> float:
    """+1 for the person's left (the image's right when they face the camera), -1 for the right."""
    return 1.0 if side == "left" else -1.0


def _polygon(shape: tuple[int, ...], points: np.ndarray) -> np.ndarray:
    canvas = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(canvas, [np.round(points).astype(np.int32)], 1)
    return canvas > 0


def _segment(shape: tuple[int, ...], start: np.ndarray, end: np.ndarray, thickness: int) -> np.ndarray:
    canvas = np.zeros(shape[:2], np.uint8)
    a, b = tuple(int(v) for v in np.round(start)), tuple(int(v) for v in np.round(end))
    cv2.line(canvas, a, b, 1, thickness=max(1, thickness))
    return canvas > 0


def _disc(shape: tuple[int, ...], centre: np.ndarray, radius: float) -> np.ndarray:
    canvas = np.zeros(shape[:2], np.uint8)
    cv2.circle(canvas, tuple(int(v) for v in np.round(centre)), max(1, round(radius)), 1, thickness=-1)
    return canvas > 0


def _above(shape: tuple[int, ...], y: float) -> np.ndarray:
    rows = np.arange(shape[0])[:, None] < y
    return np.broadcast_to(rows, shape[:2]).copy()
