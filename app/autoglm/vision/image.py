"""Turning whatever the user gives (a file, pasted bytes, a data URI, a captured frame) into model input.

Every image goes through ``normalise``: the EXIF orientation is applied, transparency is
flattened onto white, the pixels become RGB and are downscaled to the pixel budget from
settings (AutoGLM's own deployment uses 5,000,000). The result is an ``ImageInput`` whose
``sha256`` covers the normalised pixels, so the engine recognises an image it has already
seen however it arrived. Anything unusable — not an image, a truncated file, a
decompression bomb — is refused with one ``InputError`` sentence before any large
allocation happens.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import math
import re
import warnings
from pathlib import Path
from typing import IO, Any

from autoglm.core.errors import InputError
from autoglm.core.settings import VisionSettings
from autoglm.core.types import ImageInput

_LOGGER = logging.getLogger(__name__)
_DATA_URI = re.compile(
    r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*?)(?P<b64>;base64)?,(?P<data>.*)$",
    re.DOTALL,
)


def pixel_hash(width: int, height: int, rgb: bytes) -> str:
    """The sha256 that identifies normalised pixels (their size included)."""
    digest = hashlib.sha256(f"{width}x{height}:".encode("ascii"))
    digest.update(rgb)
    return digest.hexdigest()


def fit_within(width: int, height: int, max_pixels: int) -> tuple[int, int]:
    """The largest size with the same aspect ratio and at most ``max_pixels`` pixels."""
    if width * height <= max_pixels:
        return width, height
    scale = math.sqrt(max_pixels / (width * height))
    new_width = max(1, int(width * scale))
    new_height = max(1, int(height * scale))
    while new_width * new_height > max_pixels:  # rounding can overshoot by a row
        if new_width >= new_height:
            new_width -= 1
        else:
            new_height -= 1
    return new_width, new_height


TOKEN_PIXELS = 28  # one image token of GLM-4.1V and Qwen2-VL: a 14-pixel patch merged 2×2


def budget_grid(width: int, height: int, tokens: int) -> tuple[int, int]:
    """The token grid (columns, rows) an image is scaled to so it costs at most ``tokens``.

    The aspect ratio is kept as closely as whole tokens allow; an image already within the
    budget keeps its size (its grid is what the projector will make of it).
    """
    columns = max(1, round(width / TOKEN_PIXELS))
    rows = max(1, round(height / TOKEN_PIXELS))
    if columns * rows <= tokens:
        return columns, rows
    scale = math.sqrt(tokens / (width * height / TOKEN_PIXELS**2))
    columns = max(1, math.floor(width * scale / TOKEN_PIXELS))
    rows = max(1, math.floor(height * scale / TOKEN_PIXELS))
    while columns * rows > tokens:
        if columns >= rows:
            columns -= 1
        else:
            rows -= 1
    for grow_columns in (width >= height, width < height):  # use what rounding down left over
        if grow_columns and (columns + 1) * rows <= tokens:
            columns += 1
        elif not grow_columns and columns * (rows + 1) <= tokens:
            rows += 1
    return columns, rows


def image_token_cost(width: int, height: int, tokens: int) -> int:
    """What an image of this size costs the model after scaling to the budget (28-pixel tokens)."""
    columns, rows = budget_grid(width, height, tokens)
    return columns * rows


def budget_size(width: int, height: int, tokens: int) -> tuple[int, int]:
    """The pixel size an image is given to the model at: whole tokens, within the budget."""
    if max(1, round(width / TOKEN_PIXELS)) * max(1, round(height / TOKEN_PIXELS)) <= tokens:
        return (
            width,
            height,
        )  # within the budget already: the projector rounds it to whole tokens itself
    columns, rows = budget_grid(width, height, tokens)
    return columns * TOKEN_PIXELS, rows * TOKEN_PIXELS


def _to_rgb(image: Any) -> Any:
    """RGB pixels, with any transparency flattened onto white."""
    from PIL import Image

    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _from_pil(image: Any, settings: VisionSettings, sha256: str | None = None) -> ImageInput:
    """Normalise an already-decoded Pillow image; ``sha256`` given: known by that, pixels not hashed."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image) or image
    image = _to_rgb(image)
    size = fit_within(image.width, image.height, settings.max_image_pixels)
    if size[0] * size[1] > settings.image_tokens * TOKEN_PIXELS**2:
        size = budget_size(size[0], size[1], settings.image_tokens)
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    rgb = image.tobytes()
    return ImageInput(
        image.width, image.height, rgb, sha256 or pixel_hash(image.width, image.height, rgb)
    )


def normalise(
    source: bytes | IO[bytes],
    settings: VisionSettings,
    label: str = "The image",
    sha256: str | None = None,
) -> ImageInput:
    """Decode image bytes into normalised RGB; one ``InputError`` sentence if they are unusable.

    ``label`` names the image in messages (e.g. ``"photo.jpg"``). ``sha256`` is the
    identity the caller already has (a stored attachment's hash): the image is then known
    by that one hash and its pixels are not hashed again.
    """
    from PIL import Image, UnidentifiedImageError

    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    with warnings.catch_warnings():
        # The size is checked against our own limit below; Pillow's warning level is lower.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(stream)
        except Image.DecompressionBombError as exc:
            raise InputError(_too_large(label, settings)) from exc
        except UnidentifiedImageError as exc:
            raise InputError(
                f"{label} is not an image this app can read (PNG, JPEG, WebP, GIF, BMP, TIFF …)."
            ) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise InputError(f"{label} cannot be read as an image: {exc}.") from exc
        with image:
            pixels = image.width * image.height
            if pixels > settings.max_source_pixels:
                raise InputError(
                    f"{label} is too large: {image.width}×{image.height} pixels is more than the "
                    f"{settings.max_source_pixels:,} pixels allowed (a decompression bomb or a huge scan)."
                )
            if pixels == 0:
                raise InputError(f"{label} has no pixels.")
            if (
                image.format == "JPEG"
            ):  # let libjpeg decode at a reduced scale: far less memory for huge photos
                image.draft("RGB", fit_within(image.width, image.height, settings.max_image_pixels))
            try:
                image.load()
            except Image.DecompressionBombError as exc:
                raise InputError(_too_large(label, settings)) from exc
            except (OSError, ValueError, SyntaxError, EOFError) as exc:
                raise InputError(
                    f"{label} is damaged or truncated: its pixels cannot be decoded."
                ) from exc
            return _from_pil(image, settings, sha256)


def _too_large(label: str, settings: VisionSettings) -> str:
    return (
        f"{label} is too large to open safely (more than {settings.max_source_pixels:,} pixels, "
        f"a decompression bomb or a huge scan)."
    )


def load_image_file(path: str | Path, settings: VisionSettings) -> ImageInput:
    """Read and normalise an image file; ``InputError`` in words if it is missing or unusable."""
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"The image {path} was not found.")
    if not path.is_file():
        raise InputError(f"The image {path} is not a file.")
    try:
        with path.open("rb") as handle:
            return normalise(handle, settings, label=path.name)
    except OSError as exc:
        raise InputError(f"The image {path.name} cannot be read: {exc.strerror or exc}.") from exc


def image_from_rgb(width: int, height: int, rgb: bytes, settings: VisionSettings) -> ImageInput:
    """Normalise raw RGB888 pixels (a screenshot or a camera frame) without an encode/decode round trip."""
    from PIL import Image

    if width <= 0 or height <= 0 or len(rgb) != width * height * 3:
        raise InputError(
            f"The captured frame is malformed: {len(rgb)} bytes for {width}×{height} RGB pixels."
        )
    if width * height > settings.max_source_pixels:
        raise InputError(f"The captured frame is too large: {width}×{height} pixels.")
    return _from_pil(Image.frombytes("RGB", (width, height), rgb), settings)


def decode_data_uri(uri: str, settings: VisionSettings) -> ImageInput:
    """A ``data:image/...;base64,...`` URI (as OpenAI clients send) to a normalised image."""
    match = _DATA_URI.match(uri.strip())
    if not match:
        raise InputError("The image is not a data URI (expected data:image/...;base64,...).")
    mime = (match.group("mime") or "").lower()
    if mime and not mime.startswith("image/"):
        raise InputError(f"The data URI holds {mime}, not an image.")
    data = match.group("data")
    if match.group("b64"):
        try:
            payload = base64.b64decode(data, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise InputError("The image data URI is not valid base64.") from exc
    else:
        from urllib.parse import unquote_to_bytes

        payload = unquote_to_bytes(data)
    if not payload:
        raise InputError("The image data URI is empty.")
    return normalise(payload, settings, label="The image in the data URI")


def encode_png(image: ImageInput) -> bytes:
    """The normalised image as PNG bytes (for attachments, thumbnails and data URIs)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (image.width, image.height), image.rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def encode_data_uri(image: ImageInput) -> str:
    """The normalised image as a ``data:image/png;base64,...`` URI."""
    return "data:image/png;base64," + base64.b64encode(encode_png(image)).decode("ascii")
