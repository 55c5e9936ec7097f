"""Data URIs, local-file policy and image normalisation."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from autoglm.core.errors import InputError
from autoglm.server.media import (
    decode_audio,
    decode_base64,
    decode_data_uri,
    image_bytes_from_url,
)


def png(width: int, height: int, colour: tuple[int, int, int] = (10, 20, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_data_uri_forms() -> None:
    assert decode_data_uri("data:image/png;base64,QUJD", "image") == (b"ABC", "image/png")
    assert decode_data_uri("data:;base64,QUJD", "image") == (b"ABC", "")
    assert decode_data_uri("QUJD", "image") == (b"ABC", "")
    assert decode_data_uri("data:text/plain,a%20b", "x") == (b"a b", "text/plain")
    assert decode_base64("QUJ\nD", "x") == b"ABC"
    assert decode_base64("-_8", "x") == b"\xfb\xff"
    with pytest.raises(InputError, match="not valid base64"):
        decode_data_uri("data:image/png;base64,@@@@", "image")
    with pytest.raises(InputError, match="malformed"):
        decode_data_uri("data:nonsense", "image")


def test_image_urls_are_data_or_allowed_files_only(tmp_path: Path) -> None:
    picture = png(4, 4)
    uri = "data:image/png;base64," + base64.b64encode(picture).decode()
    assert image_bytes_from_url(uri, None) == picture
    with pytest.raises(InputError, match="not fetched"):
        image_bytes_from_url("https://example.com/cat.png", None)
    inside = tmp_path / "allowed" / "cat.png"
    inside.parent.mkdir()
    inside.write_bytes(picture)
    outside = tmp_path / "secret.png"
    outside.write_bytes(picture)
    with pytest.raises(InputError, match="refused unless"):
        image_bytes_from_url(inside.as_uri(), None)
    assert image_bytes_from_url(inside.as_uri(), str(inside.parent)) == picture
    with pytest.raises(InputError, match="only be read from"):
        image_bytes_from_url(outside.as_uri(), str(inside.parent))
    with pytest.raises(InputError, match="only be read from"):
        image_bytes_from_url(f"file://{inside.parent}/../secret.png", str(inside.parent))
    with pytest.raises(InputError, match="not an image type"):
        image_bytes_from_url("data:text/plain;base64,QUJD", None)


def test_audio_limits() -> None:
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(b"\x00\x00" * 16000 * 3)
    samples = decode_audio(buffer.getvalue(), max_seconds=10)
    assert abs(len(samples) / 16000 - 3.0) < 0.05
    with pytest.raises(InputError, match="limit is 2 s"):
        decode_audio(buffer.getvalue(), max_seconds=2)
    with pytest.raises(InputError, match="empty"):
        decode_audio(b"", max_seconds=2)
