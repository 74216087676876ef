"""A picture of one handwritten digit, turned into an MNIST-like 28x28 image.

MNIST's description (OpenML ``mnist_784``, printed by the notebook in cell [3]) says how its
digits were made: "size normalized to fit in a 20x20 pixel box while preserving their aspect
ratio", with "grey levels as a result of the anti-aliasing technique used by the normalization
algorithm", then "centered in a 28x28 image by computing the center of mass of the pixels, and
translating the image so as to position this point at the center of the 28x28 field".
:func:`prepare_digit_image` applies the same steps to an uploaded PNG or JPEG:

1. Refuse what is not a digit picture: an empty or over-large file (``max_bytes``), anything
   but PNG or JPEG (the format the decoder finds in the bytes, not a file name), and, from the
   header *before* any pixel is decoded, an image of more than ``max_pixels`` pixels, one far
   longer than wide (:data:`MAX_ASPECT`), an unknown pixel mode, an animated PNG, and a JPEG of
   more than :data:`MAX_JPEG_SCANS` scans (each scan of a progressive JPEG is decoded over the
   whole picture: thousands of tiny scans cost minutes of CPU for a small file).
2. Decode (this step and the next ones run one picture at a time per process, in one thread,
   under :data:`DECODE_LOCK`: concurrent uploads wait rather than add up in memory): apply the
   EXIF orientation of a phone photo, flatten transparency onto white, take grey levels (16-bit
   PNGs scaled to 0-255), and shrink a large picture to at most :data:`WORKING_SIDE` pixels a
   side (area averaging, whole-factor reduction first; a JPEG is decoded at reduced scale).
3. Polarity: MNIST has bright ink on a black background. The background level is the median of
   the picture's border; the ink is whichever extreme (darkest or brightest 0.1 %) lies farther
   from it. Dark ink on light paper is inverted. Grey levels are then rescaled so that the
   background is 0 and the ink 1, with paper texture (below 20 % of the ink's contrast) set to 0.
   A picture without :data:`MIN_CONTRAST` grey levels between background and ink is blank.
4. Crop to the ink's bounding box: pixels at least half-way from background to ink, in connected
   pieces of at least 5 % of the largest piece (specks of dust and noise are dropped; the
   separate bar of a 5 is kept).
5. Scale the crop to fit a 20x20 box keeping its aspect ratio (area averaging when shrinking,
   which is the anti-aliasing; bilinear when enlarging), brightest pixel to 255, and paste it
   into a black 28x28 field so that its centre of mass lands on pixel (14, 14): the centre MNIST
   uses (on the real digits it lies within half a pixel of row 14, column 14; the shift is a
   whole number of pixels, as there). One step MNIST's description does not name, because its
   scans had pen strokes of about that width: strokes thinner than :data:`MIN_STROKE` pixels
   (a fine pen photographed large) are widened to it first, so they do not fade to faint grey.

Everything returned is plain NumPy arrays and numbers; no PIL object leaves this module.
"""

from __future__ import annotations

import io
import math
import numbers
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from core.validation import read_only

MNIST_SHAPE = (28, 28)
BOX_SIDE = 20  # MNIST's size normalisation box
CENTRE = (14.0, 14.0)  # where MNIST puts the centre of mass (row, column)
MAX_BYTES = 10 * 1024 * 1024  # default limit on the file size
# Default limit on width x height: a 12 MP (4000x3000) or 16 MP phone photo passes; a 48 MP one
# is refused. Decoding costs memory in proportion to the pixels, so their number is bounded.
MAX_PIXELS = 16_800_000
MAX_ASPECT = 50  # longer side / shorter side: a digit is never a 40,000,000 x 1 strip
# A progressive JPEG from an encoder has about 10 scans (libjpeg's default script), rarely over
# 30; each scan is decoded over the whole picture, so their number bounds the decoding time.
MAX_JPEG_SCANS = 100
WORKING_SIDE = 1024  # larger pictures are shrunk to this many pixels on their longer side
MIN_CONTRAST = 40.0  # grey levels (of 255) between background and ink, below which it is blank
# The decoders PIL may try. A phone's multi-picture JPEG comes back as format "MPO" from the
# JPEG decoder; it is a JPEG whose first picture is the photo.
FORMATS = ("PNG", "JPEG")
# Bytes a pixel of each mode PNG and JPEG decode to costs at full size: Pillow's own storage
# (LA, RGB, CMYK, ... take 4 bytes) plus our full-size working copies (grey, alpha and white
# layers; 16-bit grey is widened to 32-bit integers, then floats). Other modes are refused.
MODE_BYTES = {
    "1": 2, "L": 2, "P": 3, "I": 8, "I;16": 10, "I;16B": 10, "I;16L": 10,
    "LA": 8, "PA": 8, "RGB": 5, "RGBA": 8, "CMYK": 9, "YCbCr": 5,
}  # fmt: skip
# The memory one decode may take; a MAX_PIXELS picture of any of the modes above fits.
MAX_DECODE_BYTES = 192 * 1024 * 1024
# One picture at a time in this process, in one thread: a server's sessions queue here, so the
# memory of concurrent uploads does not add up (each is bounded by the limits above). One
# thread rather than a lock alone: memory a picture freed stays in its thread's malloc arena,
# which only that thread reuses, so pictures read in several threads would each keep theirs.
DECODE_LOCK = threading.Lock()
_DECODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digit-decode")

SUPERSAMPLE = 4  # stroke widths are measured and widened at 4x the 20x20 box
# MNIST's strokes are 2.5 pixels wide (median; quartiles 2.0 and 2.9; measured on 1,000 test
# digits with _stroke_width at 4x). Thinner strokes (a fine pen photographed large) are widened
# to the lower quartile, so that they do not fade into faint grey when shrunk.
MIN_STROKE = 2.0

_INK_FLOOR = 0.2  # share of the ink's contrast below which a pixel is paper
_MASK_LEVEL = 0.5  # share of the contrast that counts as ink for the bounding box
_MIN_PIECE = 0.05  # pieces smaller than this share of the largest are specks
_BORDER_SHARE = 0.05  # width of the border ring that gives the background level
_EXTREME_PERCENT = 0.1  # percentile (from each end) that stands for the ink


class DigitImageError(ValueError):
    """An uploaded picture that cannot be turned into a digit; the message is for the user."""


@dataclass(frozen=True, eq=False)
class PreparedDigit:
    """A picture of a digit and the MNIST-like image made from it.

    Attributes
    ----------
    original : ndarray of shape (height, width), dtype uint8
        The picture in grey levels as a person sees it (EXIF orientation applied, transparency
        on white, not inverted), shrunk to at most :data:`WORKING_SIDE` pixels a side.
        Read-only.
    image : ndarray of shape (28, 28), dtype uint8
        The MNIST-like digit: ink bright (up to 255) on a black (0) background, fitted into a
        20x20 box, centre of mass at pixel (14, 14). ``image.reshape(-1)`` is what a detector
        trained on MNIST scores. Read-only.
    format : str
        ``"PNG"`` or ``"JPEG"``, as identified from the bytes.
    original_size : tuple of int
        ``(width, height)`` of the picture in the file, in pixels, before any rotation.
    inverted : bool
        True when the picture had dark ink on a light background (a scan or a photo of paper)
        and was inverted to MNIST's bright ink on black.
    ink_box : tuple of int
        ``(top, left, bottom, right)`` of the ink's bounding box in ``original`` (bottom and
        right exclusive): the part of the picture that became the digit.
    thickened : bool
        True when the strokes were thinner than MNIST's and were widened (step 5).
    """

    original: np.ndarray
    image: np.ndarray
    format: str
    original_size: tuple[int, int]
    inverted: bool
    ink_box: tuple[int, int, int, int]
    thickened: bool


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------


def prepare_digit_image(
    data, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS, thicken: bool = True
) -> PreparedDigit:
    """Turn the bytes of a PNG or JPEG picture of one digit into an MNIST-like 28x28 image.

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        The whole file as uploaded.
    max_bytes : int, default :data:`MAX_BYTES`
        Larger files are refused before decoding.
    max_pixels : int, default :data:`MAX_PIXELS`
        Pictures of more pixels (width x height, as the file's header declares them) are
        refused before their pixels are decoded. Pillow's own decompression-bomb limit
        (``PIL.Image.MAX_IMAGE_PIXELS``, twice of which is an error) applies as well, as do
        :data:`MAX_ASPECT` and :data:`MAX_JPEG_SCANS`.
    thicken : bool, default True
        Widen strokes thinner than :data:`MIN_STROKE` pixels (in the 28x28 image) to that
        width, as MNIST's are; False applies MNIST's described steps alone.

    Returns
    -------
    PreparedDigit

    Raises
    ------
    DigitImageError
        A ``ValueError`` whose message a user can read: empty or too large a file, not a PNG or
        JPEG image, too many pixels, too long and thin, an animation, too many JPEG scans, a
        damaged file, or a blank picture (no digit found).
    ValueError
        When ``max_bytes`` or ``max_pixels`` is not a positive integer, or ``data`` is not bytes
        (a programming error, not the user's).
    """
    max_bytes = _check_limit(max_bytes, "max_bytes")
    max_pixels = _check_limit(max_pixels, "max_pixels")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise DigitImageError("the file is empty")
    if len(data) > max_bytes:
        raise DigitImageError(_too_large(len(data), max_bytes))
    return _DECODER.submit(_prepare_alone, data, max_pixels=max_pixels, thicken=thicken).result()


def _prepare_alone(data: bytes, *, max_pixels: int, thicken: bool) -> PreparedDigit:
    """Every step of one picture, in the decoder thread and under :data:`DECODE_LOCK`."""
    with DECODE_LOCK:
        grey, image_format, original_size = _decode(data, max_pixels=max_pixels)
        ink, inverted = _ink_levels(grey)
        top, left, bottom, right = _ink_box(ink)
        image, thickened = _mnist_frame(ink[top:bottom, left:right], thicken=thicken)
    return PreparedDigit(
        original=read_only(np.round(grey).astype(np.uint8)),
        image=read_only(image),
        format="JPEG" if image_format == "MPO" else image_format,
        original_size=original_size,
        inverted=inverted,
        ink_box=(top, left, bottom, right),
        thickened=thickened,
    )


def read_image_file(path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of an image file, refusing one over ``max_bytes`` before reading it.

    Raises
    ------
    DigitImageError
        When the file is larger than ``max_bytes`` (the message gives both sizes).
    OSError
        When the file cannot be read (missing, a directory, no permission).
    """
    max_bytes = _check_limit(max_bytes, "max_bytes")
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > max_bytes:
            raise DigitImageError(_too_large(size, max_bytes))
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while we read it
        raise DigitImageError(_too_large(len(data), max_bytes))
    return data


def digit_features(prepared: PreparedDigit, *, image_shape) -> np.ndarray:
    """The prepared digit as one row of features for a detector trained on ``image_shape``.

    For MNIST's (28, 28) this is ``prepared.image`` flattened. For another shape (the fallback
    set's 8x8 digits) it follows the description of scikit-learn's ``load_digits``: a bitmap
    four times the shape (32x32 for 8x8) counted in 4x4 blocks (0-16), scaled to 0-255 as
    :func:`core.data.load_fallback_dataset` scales those counts. How the digit fills that
    bitmap is not described; here its bounding box is fitted into it keeping the aspect ratio,
    centred, and thresholded at half the ink. (Checked by drawing ``load_digits`` digits as
    pictures: a nearest-neighbour classifier trained on the other digits mostly gives the
    prepared features the label it gives the originals.)

    Parameters
    ----------
    prepared : PreparedDigit
    image_shape : tuple of int
        ``(height, width)`` of the detector's images, e.g. ``Dataset.image_shape``.

    Returns
    -------
    ndarray of shape (height * width,), dtype uint8
    """
    height, width = _check_shape(image_shape)
    if (height, width) == MNIST_SHAPE:
        return prepared.image.reshape(-1).copy()
    block = 4
    ink = prepared.image.astype(np.float64) / 255.0
    rows, cols = np.nonzero(ink)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    big_h, big_w = height * block, width * block
    fitted = _fit_into(crop, big_h, big_w)
    bitmap = np.zeros((big_h, big_w), dtype=np.float64)
    top, left = (big_h - fitted.shape[0]) // 2, (big_w - fitted.shape[1]) // 2
    bitmap[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    counts = (bitmap >= 0.5).reshape(height, block, width, block).sum(axis=(1, 3))
    levels = block * block
    return ((counts.astype(np.int64) * 255 + levels // 2) // levels).astype(np.uint8).reshape(-1)


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


def _check_limit(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_shape(image_shape) -> tuple[int, int]:
    try:
        height, width = (int(side) for side in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be (height, width), got {image_shape!r}") from None
    if height < 1 or width < 1:
        raise ValueError(f"image_shape must be positive, got {image_shape!r}")
    return height, width


def _size_text(n_bytes: int) -> str:
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:.0f} KB" if n_bytes >= 1024 else f"{n_bytes} bytes"
    return f"{n_bytes / (1024 * 1024):.1f} MB"


def _too_large(n_bytes: int, max_bytes: int) -> str:
    return f"the file is {_size_text(n_bytes)}; at most {_size_text(max_bytes)} allowed"


def _signature_format(data: bytes) -> str | None:
    """PNG or JPEG when the bytes start like one, else None (for messages only)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    return None


_JPEG_MARKER = re.compile(rb"\xff+([^\x00\xd0-\xd7\xff])")  # a marker, not data or a restart


def jpeg_scans(data: bytes, *, limit: int = MAX_JPEG_SCANS) -> int:
    """The scans (SOS markers) of a JPEG's first picture, counted from its bytes, up to
    ``limit + 1``.

    Walks the marker segments by their lengths and skips each scan's entropy-coded data to the
    next marker (a regular-expression search, not a Python loop over the bytes); stops at the
    first EOI, so a phone's multi-picture file counts its first picture only. Bytes that do not
    parse end the count: the decoder reports the damage.

    Raises
    ------
    ValueError
        When ``limit`` is not a positive integer or ``data`` is not bytes.
    """
    limit = _check_limit(limit, "limit")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    position, size, scans = 2, len(data), 0
    while position + 4 <= size and data[position] == 0xFF:
        while position + 1 < size and data[position + 1] == 0xFF:  # fill bytes
            position += 1
        marker = data[position + 1]
        if marker == 0xD9:  # EOI
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
            position += 2
            continue
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker != 0xDA:  # SOS: the entropy-coded data follows its header
            continue
        scans += 1
        if scans > limit:
            break
        found = _JPEG_MARKER.search(data, position)
        if found is None:
            break
        position = found.start(1) - 1
    return scans


def _check_header(picture: Image.Image, data: bytes, *, max_pixels: int) -> None:
    """Refuse, from what the header says, a picture whose decoding would cost too much."""
    width, height = picture.size
    if width * height > max_pixels:
        raise DigitImageError(
            f"the image is {width}x{height} pixels; at most {max_pixels:,} pixels allowed"
        )
    if width < 1 or height < 1:
        raise DigitImageError(f"the image is {width}x{height} pixels: it is empty")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise DigitImageError(
            f"the image is {width}x{height} pixels: far too long and thin for a picture of a "
            f"digit (at most {MAX_ASPECT} to 1)"
        )
    frames = getattr(picture, "n_frames", 1)
    if picture.format == "PNG" and frames > 1:
        raise DigitImageError(
            f"the PNG is an animation of {frames} frames; upload one still picture"
        )
    if picture.format in ("JPEG", "MPO"):
        scans = jpeg_scans(data)
        if scans > MAX_JPEG_SCANS:
            raise DigitImageError(
                f"the JPEG has more than {MAX_JPEG_SCANS} scans; a photo has about 10 "
                "(re-save it as an ordinary JPEG or a PNG)"
            )


def _decode(data: bytes, *, max_pixels: int):
    """Grey levels (float64, 0-255, at most WORKING_SIDE a side), format, (width, height)."""
    try:
        picture = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise DigitImageError(
            f"the image has far too many pixels ({exc}); at most {max_pixels:,} allowed"
        ) from None
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - whatever the parser trips on, the bytes are not for us
        signature = _signature_format(data)
        if signature is None:
            raise DigitImageError("not a PNG or JPEG image") from None
        raise DigitImageError(
            f"the {signature} file is damaged: its header cannot be read"
        ) from None
    with picture:
        _check_header(picture, data, max_pixels=max_pixels)
        width, height = picture.size
        image_format = picture.format
        try:
            grey = _grey_pixels(picture)
        except (MemoryError, DigitImageError):
            raise
        except Exception as exc:  # noqa: BLE001 - any decoder failure means a damaged file
            raise DigitImageError(
                f"the {image_format} file is damaged or incomplete ({exc})"
            ) from None
    return grey, image_format, (width, height)


# EXIF orientation -> the transposition that shows the picture upright (as ImageOps does).
_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _grey_pixels(picture: Image.Image) -> np.ndarray:
    """Decode one picture into upright grey levels 0-255 (float64), shrunk to WORKING_SIDE.

    One channel is made at full size, then shrunk, then turned upright: at most a couple of
    full-size single-channel copies exist at once (bench/bench_hostile.py measures the worst
    case under the default limits, a 16.8-megapixel RGBA PNG).
    """
    if picture.format in ("JPEG", "MPO"):
        # Let the JPEG decoder skip detail we would average away (scale 1/2, 1/4 or 1/8).
        picture.draft("L", (WORKING_SIDE, WORKING_SIDE))
    _check_memory(picture)
    picture.load()
    orientation = _orientation(picture)
    grey, factor = _one_channel(picture)
    longer = max(grey.size)
    if longer > WORKING_SIDE:
        scale = WORKING_SIDE / longer
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        # reducing_gap: whole-factor block averaging first, so the resampling's coefficient
        # table stays small (it grows with the input's width over the output's).
        grey = grey.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
    if orientation in _ORIENTATIONS:
        grey = grey.transpose(_ORIENTATIONS[orientation])
    pixels = np.asarray(grey, dtype=np.float64) * factor
    return np.clip(pixels, 0.0, 255.0)


def _check_memory(picture: Image.Image) -> None:
    """Refuse, before decoding, a picture whose pixels (at the size the decoder will produce)
    and our working copies of them would take more than :data:`MAX_DECODE_BYTES`."""
    width, height = picture.size
    per_pixel = MODE_BYTES.get(picture.mode)
    if per_pixel is None:
        raise DigitImageError(f"the image's pixel mode {picture.mode!r} is not supported")
    needed = width * height * per_pixel
    if needed > MAX_DECODE_BYTES:
        raise DigitImageError(
            f"the {picture.mode} image of {width}x{height} pixels would take "
            f"{_size_text(needed)} to decode; at most {_size_text(MAX_DECODE_BYTES)} allowed"
        )


def _orientation(picture: Image.Image) -> int:
    """The EXIF orientation tag (1 = upright); a broken EXIF block counts as upright."""
    try:
        return int(picture.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - unreadable EXIF: show the picture as stored
        return 1


def _one_channel(picture: Image.Image) -> tuple[Image.Image, float]:
    """An "L" or "F" image and the factor that turns its values into grey levels 0-255.

    Transparency is flattened onto white; 16-bit grey (65535 = white) gets factor 1/257.
    """
    mode = picture.mode
    if mode.startswith("I;16") or mode == "I":
        wide = picture if mode == "I" else picture.convert("I")
        _, highest = wide.getextrema()
        # 16-bit grey: 65535 is white. A 32-bit "I" image holding 8-bit data stays as it is.
        factor = 1 / 257 if mode.startswith("I;16") or highest > 255 else 1.0
        return wide.convert("F"), factor
    if mode == "F":
        return picture, 1.0
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in picture.info:
        if mode not in ("RGBA", "LA"):
            picture = picture.convert("RGBA")  # applies "P" and tRNS transparency
        alpha = picture.getchannel("A")
        grey = picture.getchannel("L") if picture.mode == "LA" else picture.convert("L")
        white = Image.new("L", grey.size, 255)
        return Image.composite(grey, white, alpha), 1.0
    if mode not in ("L", "RGB"):
        picture = picture.convert("RGB")  # CMYK, YCbCr, P, 1 ...
    return picture.convert("L") if picture.mode != "L" else picture, 1.0


# ---------------------------------------------------------------------------------------------
# Ink
# ---------------------------------------------------------------------------------------------


def _border(grey: np.ndarray) -> np.ndarray:
    height, width = grey.shape
    ring = max(1, round(_BORDER_SHARE * min(height, width)))
    if 2 * ring >= min(height, width):
        return grey.reshape(-1)
    return np.concatenate(
        (
            grey[:ring].reshape(-1),
            grey[-ring:].reshape(-1),
            grey[ring:-ring, :ring].reshape(-1),
            grey[ring:-ring, -ring:].reshape(-1),
        )
    )


def _ink_levels(grey: np.ndarray) -> tuple[np.ndarray, bool]:
    """Ink as 0 (background) to 1 (full ink), bright on dark; and whether it was inverted."""
    background = float(np.median(_border(grey)))
    darkest, brightest = np.percentile(grey, [_EXTREME_PERCENT, 100 - _EXTREME_PERCENT])
    inverted = background - darkest > brightest - background
    contrast = background - darkest if inverted else brightest - background
    if contrast < MIN_CONTRAST:
        raise DigitImageError(
            "the image is blank: no digit found (it is nearly one shade; "
            f"ink and background differ by {contrast:.0f} grey levels of 255)"
        )
    levels = (background - grey if inverted else grey - background) / contrast
    levels = np.clip((levels - _INK_FLOOR) / (1.0 - _INK_FLOOR), 0.0, 1.0)
    return levels, bool(inverted)


def _ink_box(levels: np.ndarray) -> tuple[int, int, int, int]:
    """Bounding box of the ink's pieces that are not specks; zeroes the specks in place."""
    threshold = (_MASK_LEVEL - _INK_FLOOR) / (1.0 - _INK_FLOOR)
    mask = levels >= threshold
    pieces, n_pieces = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    if n_pieces == 0:
        raise DigitImageError("the image is blank: no digit found")
    areas = np.bincount(pieces.reshape(-1), minlength=n_pieces + 1)[1:]
    kept = areas >= _MIN_PIECE * areas.max()
    specks = np.flatnonzero(~kept) + 1
    if specks.size:
        levels[np.isin(pieces, specks)] = 0.0
    slices = ndimage.find_objects(pieces)
    boxes = np.array(
        [
            (s[0].start, s[1].start, s[0].stop, s[1].stop)
            for s, k in zip(slices, kept, strict=True)
            if k
        ]
    )
    top, left = boxes[:, 0].min(), boxes[:, 1].min()
    bottom, right = boxes[:, 2].max(), boxes[:, 3].max()
    return int(top), int(left), int(bottom), int(right)


# ---------------------------------------------------------------------------------------------
# MNIST's normalisation
# ---------------------------------------------------------------------------------------------


def _fit_into(crop: np.ndarray, box_h: int, box_w: int) -> np.ndarray:
    """Scale ``crop`` to fit ``box_h`` x ``box_w`` keeping its aspect ratio (float, 0-1)."""
    height, width = crop.shape
    scale = min(box_h / height, box_w / width)
    size = (
        min(box_w, max(1, math.floor(width * scale + 0.5))),
        min(box_h, max(1, math.floor(height * scale + 0.5))),
    )
    # Area averaging when shrinking is the anti-aliasing; bilinear when enlarging a tiny crop.
    resample = Image.Resampling.BOX if scale <= 1 else Image.Resampling.BILINEAR
    fitted = Image.fromarray(crop.astype(np.float32), mode="F").resize(size, resample)
    return np.clip(np.asarray(fitted, dtype=np.float64), 0.0, 1.0)


def _stroke_width(levels: np.ndarray) -> float:
    """Typical stroke width in pixels: twice the median distance to the edge along the ridges."""
    mask = levels >= 0.5
    if not mask.any():
        return 0.0
    distance = ndimage.distance_transform_edt(mask)
    ridge = mask & (distance >= ndimage.maximum_filter(distance, size=3))
    return 2.0 * float(np.median(distance[ridge]))


def _disk(radius: float) -> np.ndarray:
    reach = math.floor(radius)
    offsets = np.arange(-reach, reach + 1)
    return offsets[:, None] ** 2 + offsets[None, :] ** 2 <= radius * radius


def _thickened(crop: np.ndarray) -> np.ndarray | None:
    """The crop with its strokes widened to MIN_STROKE output pixels, or None if wide enough.

    Works at SUPERSAMPLE times the 20x20 box, so the dilation is a small disk whatever the
    picture's size; the result is fitted into the 20x20 box by the caller.
    """
    box = BOX_SIDE * SUPERSAMPLE
    large = _fit_into(crop, box, box)
    width = _stroke_width(large) / SUPERSAMPLE
    if width >= MIN_STROKE:
        return None
    radius = (MIN_STROKE - width) * SUPERSAMPLE / 2
    if radius < 1:
        return None
    margin = math.ceil(radius)
    large = np.pad(_fit_into(crop, box - 2 * margin, box - 2 * margin), margin)
    return ndimage.grey_dilation(large, footprint=_disk(radius))


def _mnist_frame(crop: np.ndarray, *, thicken: bool) -> tuple[np.ndarray, bool]:
    """Fit the ink into 20x20, brightest to 255, centre of mass at (14, 14) of a 28x28 field.

    Returns the uint8 image and whether the strokes were thickened.
    """
    widened = _thickened(crop) if thicken else None
    fitted = _fit_into(crop if widened is None else _trim(widened), BOX_SIDE, BOX_SIDE)
    peak = fitted.max()
    if peak <= 0:
        raise DigitImageError("the image is blank: no digit found")
    fitted = fitted / peak
    rows, cols = MNIST_SHAPE
    height, width = fitted.shape
    com_row, com_col = ndimage.center_of_mass(fitted)
    # A whole-pixel shift, kept inside the field (a lopsided digit may end up a little off).
    top = min(max(math.floor(CENTRE[0] - com_row + 0.5), 0), rows - height)
    left = min(max(math.floor(CENTRE[1] - com_col + 0.5), 0), cols - width)
    field = np.zeros(MNIST_SHAPE, dtype=np.float64)
    field[top : top + height, left : left + width] = fitted
    return np.floor(field * 255.0 + 0.5).astype(np.uint8), widened is not None


def _trim(levels: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(levels > 0)
    return levels[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
