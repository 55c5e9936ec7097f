"""Image normalisation: orientation, colour, pixel budget, hashes, data URIs and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from vision_samples import huge_png_header, png_bytes, truncated_png, two_colour_jpeg_rotated

from autoglm.core.errors import InputError
from autoglm.core.settings import VisionSettings
from autoglm.vision.image import (
    decode_data_uri,
    encode_data_uri,
    encode_png,
    fit_within,
    image_from_rgb,
    load_image_file,
    normalise,
)

SETTINGS = VisionSettings()


def pixel(image, x: int, y: int) -> tuple[int, int, int]:
    offset = (y * image.width + x) * 3
    return tuple(image.rgb[offset : offset + 3])


def test_exif_orientation_is_applied() -> None:
    image = normalise(two_colour_jpeg_rotated(6), SETTINGS)
    assert (image.width, image.height) == (20, 40)
    top, bottom = pixel(image, 10, 5), pixel(image, 10, 35)
    assert top[0] > 200 and top[2] < 60, top  # the red left half is on top once rotated clockwise
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_transparency_is_flattened_onto_white_rgb() -> None:
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    rgba.putpixel((0, 0), (10, 20, 30, 255))
    image = normalise(png_bytes(rgba), SETTINGS)
    assert len(image.rgb) == 4 * 4 * 3
    assert pixel(image, 0, 0) == (10, 20, 30)
    assert pixel(image, 3, 3) == (255, 255, 255)


def test_large_images_are_downscaled_to_the_pixel_budget_keeping_aspect() -> None:
    settings = VisionSettings(max_image_pixels=1_000_000, image_tokens=16384)
    image = normalise(png_bytes(Image.new("RGB", (3000, 2000), (1, 2, 3))), settings)
    assert image.width * image.height <= 1_000_000
    assert abs(image.width / image.height - 1.5) < 0.01
    assert image.width >= 1200


def test_fit_within_never_exceeds_the_budget() -> None:
    for width, height in [(1, 10_000_000), (7919, 7907), (10_000, 3)]:
        w, h = fit_within(width, height, 5_000_000)
        assert w * h <= 5_000_000 and w >= 1 and h >= 1
    assert fit_within(640, 480, 5_000_000) == (640, 480)


def test_same_pixels_give_the_same_hash_however_they_arrive() -> None:
    source = Image.effect_noise((32, 24), 50).convert("RGB")
    from_png = normalise(png_bytes(source), SETTINGS)
    from_frame = image_from_rgb(32, 24, source.tobytes(), SETTINGS)
    from_uri = decode_data_uri(encode_data_uri(from_png), SETTINGS)
    assert from_png.sha256 == from_frame.sha256 == from_uri.sha256
    other = normalise(png_bytes(source.transpose(Image.Transpose.FLIP_LEFT_RIGHT)), SETTINGS)
    assert other.sha256 != from_png.sha256
    assert Image.open(__import__("io").BytesIO(encode_png(from_png))).size == (32, 24)


def test_truncated_png_is_one_clear_sentence(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(truncated_png())
    with pytest.raises(InputError, match="cut.png is damaged or truncated"):
        load_image_file(path, SETTINGS)


def test_text_file_named_jpg_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "holiday.jpg"
    path.write_text("these are my holiday notes, not a photo\n")
    with pytest.raises(InputError, match="holiday.jpg is not an image"):
        load_image_file(path, SETTINGS)


def test_a_30000_square_image_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(huge_png_header(30000, 30000))
    assert path.stat().st_size < 200
    with pytest.raises(InputError, match="bomb.png is too large"):
        load_image_file(path, SETTINGS)


def test_the_source_pixel_limit_from_settings_applies(tmp_path: Path) -> None:
    settings = VisionSettings(max_source_pixels=1_000_000)
    with pytest.raises(InputError, match="1100×1000 pixels is more than the 1,000,000"):
        normalise(png_bytes(Image.new("RGB", (1100, 1000))), settings)


def test_missing_file_and_bad_data_uris_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="was not found"):
        load_image_file(tmp_path / "nope.png", SETTINGS)
    with pytest.raises(InputError, match="not a data URI"):
        decode_data_uri("https://example.com/cat.png", SETTINGS)
    with pytest.raises(InputError, match="holds text/plain, not an image"):
        decode_data_uri("data:text/plain;base64,aGVsbG8=", SETTINGS)
    with pytest.raises(InputError, match="not an image"):
        decode_data_uri("data:image/png;base64,aGVsbG8=", SETTINGS)


def test_malformed_frame_is_refused() -> None:
    with pytest.raises(InputError, match="malformed"):
        image_from_rgb(10, 10, b"\x00" * 12, SETTINGS)
