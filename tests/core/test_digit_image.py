"""core.digit_image: a picture of a digit turned into an MNIST-like 28x28 image.

Synthetic pictures check each rule (refusals, polarity, transparency, EXIF, aspect ratio,
centring); real MNIST test digits, rendered as photo-like pictures, check that a digit stays
recognisable, by correlation and by the notebook's 5-detector.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from core.digit_image import (
    BOX_SIDE,
    MAX_PIXELS,
    MNIST_SHAPE,
    WORKING_SIDE,
    DigitImageError,
    PreparedDigit,
    digit_features,
    prepare_digit_image,
    read_image_file,
)

# --------------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------------


def encode(pixels, format="PNG", **options) -> bytes:
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def drawing(*, width=400, height=500, stroke=40, offset=(0, 0)) -> np.ndarray:
    """A '4'-like figure of three strokes: ink 255 on 0, as a uint8 array (height, width)."""
    image = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(image)
    dx, dy = offset
    draw.line([(120 + dx, 80 + dy), (90 + dx, 300 + dy), (300 + dx, 300 + dy)], 255, stroke)
    draw.line([(250 + dx, 150 + dy), (250 + dx, 430 + dy)], 255, stroke)
    return np.asarray(image)


def dark_on_light(ink: np.ndarray, *, paper=235, pen=30) -> np.ndarray:
    """Ink levels (0-255) as a pen on paper: dark strokes on a light background."""
    level = ink.astype(np.float64) / 255
    return np.round(paper * (1 - level) + pen * level).astype(np.uint8)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and IHDR declaring width x height grey pixels, then IEND: no pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(image)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def correlation(a, b) -> float:
    return float(np.corrcoef(np.asarray(a, float).ravel(), np.asarray(b, float).ravel())[0, 1])


# --------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------


def test_empty_file_is_refused():
    with pytest.raises(DigitImageError, match="the file is empty"):
        prepare_digit_image(b"")


def test_text_is_not_an_image():
    with pytest.raises(DigitImageError, match="^not a PNG or JPEG image$"):
        prepare_digit_image(b"7, a handwritten seven\n" * 10)


def test_text_file_named_png_is_refused_by_content(tmp_path):
    path = tmp_path / "digit.png"
    path.write_text("this is not a picture of a digit")
    with pytest.raises(DigitImageError, match="not a PNG or JPEG image"):
        prepare_digit_image(read_image_file(path))


@pytest.mark.parametrize("format", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_image_formats_are_refused(format):
    data = encode(dark_on_light(drawing()), format)
    with pytest.raises(DigitImageError, match="not a PNG or JPEG image"):
        prepare_digit_image(data)


def test_file_over_the_byte_limit_is_refused_before_decoding():
    data = encode(dark_on_light(drawing()))
    with pytest.raises(DigitImageError, match=r"^the file is \d+ KB; at most 1 KB allowed$"):
        prepare_digit_image(data, max_bytes=1024)
    assert prepare_digit_image(data, max_bytes=len(data)).image.shape == MNIST_SHAPE


def test_read_image_file_refuses_a_large_file_unread(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(b"\0" * 5000)
    with pytest.raises(DigitImageError, match="at most 4 KB allowed"):
        read_image_file(path, max_bytes=4096)
    with pytest.raises(OSError):
        read_image_file(tmp_path / "missing.png")


def test_declared_pixel_count_over_the_limit_is_refused_from_the_header():
    # 10000 x 5000 = 50 million pixels: over our limit, under Pillow's own warning limit.
    data = png_header_only(10_000, 5_000)
    assert len(data) < 100  # nothing to decode: the refusal comes from the header alone
    message = f"^the image is 10000x5000 pixels; at most {MAX_PIXELS:,} pixels allowed$"
    with pytest.raises(DigitImageError, match=message):
        prepare_digit_image(data)


def test_decompression_bomb_header_is_refused():
    # 50000 x 50000 = 2.5 billion pixels: Pillow itself raises DecompressionBombError.
    with pytest.raises(
        DigitImageError, match=f"far too many pixels.*at most {MAX_PIXELS:,} allowed"
    ):
        prepare_digit_image(png_header_only(50_000, 50_000))


def test_pillow_bomb_warning_range_is_refused_by_our_limit():
    # 10000 x 10000 = 100 million: Pillow only warns (its error starts at twice its limit);
    # our lower limit refuses it before any pixel is decoded.
    with pytest.warns(Image.DecompressionBombWarning):
        with pytest.raises(DigitImageError, match=f"10000x10000 pixels; at most {MAX_PIXELS:,}"):
            prepare_digit_image(png_header_only(10_000, 10_000))


def test_max_pixels_applies_to_a_real_picture():
    data = encode(dark_on_light(drawing(width=400, height=500)))
    with pytest.raises(DigitImageError, match="400x500 pixels; at most 199,999 pixels"):
        prepare_digit_image(data, max_pixels=199_999)
    assert prepare_digit_image(data, max_pixels=200_000).original_size == (400, 500)


def test_truncated_png_is_damaged():
    data = encode(dark_on_light(drawing()))
    with pytest.raises(DigitImageError, match="^the PNG file is damaged or incomplete"):
        prepare_digit_image(data[: len(data) // 2])


def test_png_signature_with_broken_header_is_damaged():
    with pytest.raises(DigitImageError, match="^the PNG file is damaged"):
        prepare_digit_image(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)


@pytest.mark.parametrize(
    "pixels",
    [
        np.full((200, 150), 255, np.uint8),  # white paper
        np.zeros((200, 150), np.uint8),  # black
        np.full((200, 150), 128, np.uint8),  # uniform grey
        np.clip(np.random.default_rng(0).normal(180, 4, (200, 150)), 0, 255).astype(np.uint8),
    ],
    ids=["white", "black", "grey", "paper-noise"],
)
def test_blank_picture_says_no_digit_found(pixels):
    with pytest.raises(DigitImageError, match="^the image is blank: no digit found"):
        prepare_digit_image(encode(pixels))


def test_bad_arguments_are_value_errors_not_user_messages():
    data = encode(dark_on_light(drawing()))
    for bad in (0, -5, 2.5, True):
        with pytest.raises(ValueError, match="max_bytes must be a positive integer") as caught:
            prepare_digit_image(data, max_bytes=bad)
        assert not isinstance(caught.value, DigitImageError)
    with pytest.raises(ValueError, match="data must be bytes, got str"):
        prepare_digit_image("digit.png")


# --------------------------------------------------------------------------------------------
# What comes out
# --------------------------------------------------------------------------------------------


def test_result_is_plain_read_only_arrays():
    prepared = prepare_digit_image(encode(dark_on_light(drawing())))
    assert isinstance(prepared, PreparedDigit)
    assert prepared.image.shape == MNIST_SHAPE and prepared.image.dtype == np.uint8
    assert prepared.original.shape == (500, 400) and prepared.original.dtype == np.uint8
    assert not prepared.image.flags.writeable and not prepared.original.flags.writeable
    assert prepared.format == "PNG" and prepared.original_size == (400, 500)
    assert prepared.inverted is True
    assert prepared.image.max() == 255 and prepared.image.min() == 0
    for value in vars(prepared).values():
        assert isinstance(value, np.ndarray | str | bool | tuple)


def test_dark_on_light_and_light_on_dark_give_the_same_digit():
    ink = drawing()
    light_on_dark = prepare_digit_image(encode(ink))
    on_paper = prepare_digit_image(encode(dark_on_light(ink, paper=255, pen=0)))
    assert light_on_dark.inverted is False and on_paper.inverted is True
    np.testing.assert_array_equal(light_on_dark.image, on_paper.image)
    # The original is shown as the person drew it: not inverted.
    assert on_paper.original[0, 0] == 255 and light_on_dark.original[0, 0] == 0


def test_ink_fills_the_20x20_box_and_centre_of_mass_is_at_14_14():
    for offset in [(0, 0), (-60, -50), (80, 40)]:
        image = prepare_digit_image(encode(dark_on_light(drawing(offset=offset)))).image
        height, width = ink_box(image)
        assert max(height, width) == BOX_SIDE
        row, col = ndimage.center_of_mass(image.astype(np.float64))
        # MNIST's centre: on its real digits the centre of mass is within half a pixel of
        # (14, 14) (the MNIST test below compares with them).
        assert abs(row - 14) <= 0.6 and abs(col - 14) <= 0.6


def test_position_in_the_picture_does_not_matter():
    images = [
        prepare_digit_image(encode(dark_on_light(drawing(offset=offset)))).image
        for offset in [(0, 0), (-70, -60), (60, 50)]
    ]
    for image in images[1:]:
        assert correlation(image, images[0]) > 0.98


@pytest.mark.parametrize(("bar_height", "bar_width"), [(300, 60), (60, 300), (250, 125)])
def test_aspect_ratio_is_kept(bar_height, bar_width):
    pixels = np.full((400, 400), 255, np.uint8)
    top, left = (400 - bar_height) // 2 + 17, (400 - bar_width) // 2 - 23
    pixels[top : top + bar_height, left : left + bar_width] = 0
    prepared = prepare_digit_image(encode(pixels))
    height, width = ink_box(prepared.image)
    longer = max(bar_height, bar_width)
    assert (height, width) == (
        round(BOX_SIDE * bar_height / longer),
        round(BOX_SIDE * bar_width / longer),
    )
    assert prepared.ink_box == (top, left, top + bar_height, left + bar_width)
    assert not prepared.thickened  # a bar is wider than any stroke limit


def test_specks_of_dust_do_not_move_the_box():
    clean = dark_on_light(drawing())
    dusty = clean.copy()
    for row, col in [(10, 10), (480, 20), (15, 380), (470, 390)]:
        dusty[row : row + 3, col : col + 3] = 40
    a, b = prepare_digit_image(encode(clean)), prepare_digit_image(encode(dusty))
    assert a.ink_box == b.ink_box
    np.testing.assert_array_equal(a.image, b.image)


def test_uneven_lighting_and_grey_paper():
    ink = drawing()
    shade = np.linspace(200, 150, ink.shape[0])[:, None]  # a shadow across the page
    level = ink / 255.0
    photo = np.round(shade * (1 - level) + 20 * level).astype(np.uint8)
    prepared = prepare_digit_image(encode(photo, "JPEG", quality=85))
    reference = prepare_digit_image(encode(ink))
    assert prepared.inverted
    assert correlation(prepared.image, reference.image) > 0.95


def test_rgba_transparent_background_is_flattened_onto_white():
    ink = drawing()
    # A drawing app's export: black strokes, the background fully transparent *black*.
    rgba = np.zeros(ink.shape + (4,), np.uint8)
    rgba[..., 3] = ink
    prepared = prepare_digit_image(encode(rgba))
    reference = prepare_digit_image(encode(dark_on_light(ink, paper=255, pen=0)))
    assert prepared.inverted
    np.testing.assert_array_equal(prepared.image, reference.image)


def test_palette_png_with_transparency_and_16_bit_grey():
    ink = drawing()
    reference = prepare_digit_image(encode(ink)).image
    palette = Image.fromarray(dark_on_light(ink, paper=255, pen=0)).convert("P")
    palette.info["transparency"] = 255  # the paper's palette entry
    assert correlation(prepare_digit_image(encode(palette)).image, reference) > 0.99
    grey_alpha = Image.fromarray(np.stack([np.zeros_like(ink), ink], axis=-1), mode="LA")
    np.testing.assert_array_equal(prepare_digit_image(encode(grey_alpha)).image, reference)
    sixteen = Image.fromarray(ink.astype(np.uint16) * 257)
    assert sixteen.mode.startswith("I;16")
    np.testing.assert_array_equal(prepare_digit_image(encode(sixteen)).image, reference)


def test_jpeg_gives_nearly_the_png_result():
    picture = dark_on_light(drawing())
    jpeg = prepare_digit_image(encode(picture, "JPEG", quality=80))
    png = prepare_digit_image(encode(picture))
    assert jpeg.format == "JPEG"
    assert correlation(jpeg.image, png.image) > 0.97


def test_exif_orientation_of_a_phone_photo_is_applied():
    upright = dark_on_light(drawing())
    # Orientation 6: the camera stored the picture turned; viewers rotate it 90 degrees
    # clockwise to show it. So the stored pixels are the upright picture turned anticlockwise.
    stored = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    prepared = prepare_digit_image(encode(stored, "JPEG", quality=90, exif=exif.tobytes()))
    assert prepared.original.shape == upright.shape  # shown upright
    assert prepared.original_size == stored.size  # as stored in the file
    reference = prepare_digit_image(encode(upright, "JPEG", quality=90)).image
    assert correlation(prepared.image, reference) > 0.97
    unrotated = prepare_digit_image(encode(stored, "JPEG", quality=90)).image
    assert correlation(unrotated, reference) < 0.6


def test_large_photo_is_shrunk_for_work_and_display():
    big = np.asarray(Image.fromarray(dark_on_light(drawing())).resize((2400, 3000)))
    prepared = prepare_digit_image(encode(big, "JPEG", quality=85))
    assert max(prepared.original.shape) <= WORKING_SIDE
    assert prepared.original_size == (2400, 3000)
    small = prepare_digit_image(encode(dark_on_light(drawing()))).image
    assert correlation(prepared.image, small) > 0.97


def test_thin_strokes_are_widened_and_thick_ones_are_not():
    thin = encode(dark_on_light(drawing(stroke=4)))
    widened = prepare_digit_image(thin)
    plain = prepare_digit_image(thin, thicken=False)
    assert widened.thickened and not plain.thickened
    # Total ink: a 4-pixel pen line shrunk 17-fold fades to a fraction of a pixel's width.
    assert widened.image.sum() > 2 * plain.image.sum()
    assert max(ink_box(widened.image)) == BOX_SIDE  # still fitted into the box
    thick = prepare_digit_image(encode(dark_on_light(drawing(stroke=40))))
    assert not thick.thickened


def test_digit_features_for_mnist_is_the_image():
    prepared = prepare_digit_image(encode(dark_on_light(drawing())))
    features = digit_features(prepared, image_shape=(28, 28))
    np.testing.assert_array_equal(features, prepared.image.reshape(-1))
    with pytest.raises(ValueError, match="image_shape must be"):
        digit_features(prepared, image_shape=(0, 8))


def test_fallback_8x8_digits_stay_recognisable():
    """load_digits digits drawn as pictures are mostly classified as before after the round trip."""
    from sklearn.datasets import load_digits
    from sklearn.neighbors import KNeighborsClassifier

    digits = load_digits()
    pixels = (digits.data.astype(np.int64) * 255 + 8) // 16  # as core.data scales them
    classifier = KNeighborsClassifier(n_neighbors=3).fit(pixels[:1400], digits.target[:1400])
    rows = np.random.default_rng(0).choice(np.arange(1400, 1797), 60, replace=False)
    features = []
    for row in rows:
        large = Image.fromarray(pixels[row].reshape(8, 8).astype(np.uint8)).resize(
            (160, 160), Image.Resampling.BILINEAR
        )
        picture = np.full((260, 230), 255, np.uint8)
        picture[30:190, 50:210] = 255 - np.asarray(large)
        prepared = prepare_digit_image(encode(picture))
        features.append(digit_features(prepared, image_shape=(8, 8)))
    features = np.array(features)
    assert features.shape == (60, 64) and features.dtype == np.uint8
    assert set(np.unique(features)) <= {(k * 255 + 8) // 16 for k in range(17)}
    agree = np.mean(classifier.predict(features) == classifier.predict(pixels[rows]))
    assert agree >= 0.75


# --------------------------------------------------------------------------------------------
# Real MNIST digits
# --------------------------------------------------------------------------------------------


def photo_of(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """An MNIST digit as a photo-like picture: 8x larger, dark on light paper, off centre."""
    scale = 8
    large = Image.fromarray(digit.reshape(28, 28)).resize(
        (28 * scale, 28 * scale), Image.Resampling.BILINEAR
    )
    top, left, bottom, right = rng.integers(10, 120, size=4)
    height, width = 28 * scale + top + bottom, 28 * scale + left + right
    ink = np.zeros((height, width), np.uint8)
    ink[top : top + 28 * scale, left : left + 28 * scale] = np.asarray(large)
    paper = dark_on_light(ink, paper=int(rng.integers(190, 250)), pen=int(rng.integers(0, 60)))
    if rng.random() < 0.5:
        return encode(paper, "JPEG", quality=90)
    return encode(paper)


def best_shift_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation allowing a one-pixel shift: rounding a centre of mass may move a digit."""
    a = a.astype(np.float64)
    return max(
        correlation(np.roll(a, (dy, dx), axis=(0, 1)), b) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
    )


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    from core.data import load_dataset

    return load_dataset(data_dir=mnist_dir)


@pytest.fixture(scope="module")
def test_digits_as_photos(mnist):
    """100 test digits (50 fives, 50 others) and their photo-like pictures, prepared."""
    rng = np.random.default_rng(42)
    labels = mnist.test_labels
    fives = rng.choice(np.flatnonzero(labels == 5), 50, replace=False)
    others = rng.choice(np.flatnonzero(labels != 5), 50, replace=False)
    rows = np.concatenate([fives, others])
    originals = mnist.images[mnist.n_train + rows]
    prepared = np.array(
        [prepare_digit_image(photo_of(d, rng)).image.reshape(-1) for d in originals]
    )
    return rows, originals, prepared


@pytest.mark.mnist
def test_mnist_digits_stay_close_to_the_originals(test_digits_as_photos):
    _, originals, prepared = test_digits_as_photos
    scores = np.array(
        [
            best_shift_correlation(p.reshape(28, 28), o.reshape(28, 28))
            for p, o in zip(prepared, originals, strict=True)
        ]
    )
    assert np.median(scores) > 0.95
    assert scores.min() > 0.75

    # Centred the way MNIST's own digits are: the centres of mass agree on average.
    def centres(images):
        return np.array([ndimage.center_of_mass(i.reshape(28, 28).astype(float)) for i in images])

    np.testing.assert_allclose(
        centres(prepared).mean(axis=0), centres(originals).mean(axis=0), atol=0.15
    )
    assert np.abs(centres(prepared) - 14).max() <= 0.6


@pytest.mark.mnist
def test_mnist_digits_get_the_same_answer_from_the_5_detector(
    mnist, shared_cache_dir, test_digits_as_photos
):
    from core.detector import train_detector

    result = train_detector(mnist, digit=5, cache_dir=shared_cache_dir)
    rows, originals, prepared = test_digits_as_photos
    before = result.model.decision_function(originals.astype(np.float64)) > 0
    after = result.model.decision_function(prepared.astype(np.float64)) > 0
    np.testing.assert_array_equal(before, result.test_scores[rows] > 0)
    assert np.mean(before == after) >= 0.9
    is_five = mnist.test_labels[rows] == 5
    # Still detected: the fives found after preparation are nearly as many as before.
    assert np.count_nonzero(after & is_five) >= np.count_nonzero(before & is_five) - 5
    assert np.count_nonzero(after & ~is_five) <= np.count_nonzero(before & ~is_five) + 5
