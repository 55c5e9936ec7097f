"""Images and audio sent to the API: data URIs decoded, local files allowed only from one folder.

Image bytes found here are normalised by ``autoglm.vision.image.normalise``, the same
path as a pasted or dropped image in the app.

Remote URLs are never fetched (the app works offline and must not be turned into a
proxy); ``file://`` URLs are read only from the folder the user allowed in Settings →
Server. Every refusal is an ``InputError`` whose message the client receives.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np

from autoglm.core.errors import InputError

_LOGGER = logging.getLogger(__name__)
_DATA_URI = re.compile(
    r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(;[\w.+-]+=[\w.+-]+)*)(?P<b64>;base64)?,", re.I
)
AUDIO_SAMPLE_RATE = 16_000


def decode_base64(text: str, what: str) -> bytes:
    """Bytes of standard or URL-safe base64 (``InputError`` naming ``what`` if it is not)."""
    cleaned = "".join(text.split())
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        if "-" in cleaned or "_" in cleaned:
            return base64.urlsafe_b64decode(cleaned)
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"The {what} is not valid base64.") from exc


def decode_data_uri(uri: str, what: str) -> tuple[bytes, str]:
    """``(bytes, media type)`` of a ``data:`` URI; bare base64 is accepted too (type ``""``)."""
    match = _DATA_URI.match(uri)
    if match is None:
        if uri.startswith("data:"):
            raise InputError(f"The {what} data URI is malformed.")
        return decode_base64(uri, what), ""
    payload = uri[match.end() :]
    media_type = (match.group("type") or "").lower()
    if match.group("b64"):
        return decode_base64(payload, what), media_type
    return unquote(payload).encode("latin-1", errors="replace"), media_type


def image_bytes_from_url(url: str, allowed_dir: str | None) -> bytes:
    """The bytes an ``image_url`` points at: a data URI, or a file inside ``allowed_dir``."""
    if url.startswith("data:"):
        data, media_type = decode_data_uri(url, "image")
        if media_type and not media_type.startswith("image/"):
            raise InputError(f"The image data URI says '{media_type}', which is not an image type.")
        return data
    scheme = urlparse(url).scheme.lower()
    if scheme == "file":
        return _read_allowed_file(url, allowed_dir)
    if scheme in ("http", "https", "ftp"):
        raise InputError(
            "Image URLs are not fetched (the assistant works offline): "
            "send the image as a base64 data URI."
        )
    return decode_data_uri(url, "image")[0]


def _read_allowed_file(url: str, allowed_dir: str | None) -> bytes:
    if not allowed_dir:
        raise InputError(
            "file:// image URLs are refused unless a local folder is allowed "
            "(Settings → Server → allowed image folder)."
        )
    root = Path(allowed_dir).expanduser().resolve()
    path = Path(unquote(urlparse(url).path)).resolve()
    if not path.is_relative_to(root):
        raise InputError(f"Images may only be read from {root}.")
    if not path.is_file():
        raise InputError(f"There is no image file at {path}.")
    return path.read_bytes()


def decode_audio(data: bytes, max_seconds: float) -> np.ndarray:
    """16 kHz mono float32 samples of any audio container; refused beyond ``max_seconds``."""
    if not data:
        raise InputError("The audio is empty.")
    from faster_whisper.audio import decode_audio as _decode  # heavy: PyAV

    try:
        samples = _decode(io.BytesIO(data), sampling_rate=AUDIO_SAMPLE_RATE)
    except Exception as exc:  # PyAV raises many kinds for data that is not audio
        raise InputError("The audio could not be decoded (send WAV, MP3, FLAC or OGG).") from exc
    seconds = len(samples) / AUDIO_SAMPLE_RATE
    if seconds > max_seconds:
        raise InputError(f"The audio is {seconds:.0f} s long; the limit is {max_seconds:.0f} s.")
    if seconds == 0:
        raise InputError("The audio holds no samples.")
    return np.asarray(samples, dtype=np.float32)
