"""``autoglm chat --image`` through a real subprocess: a reply with the projector, one line for bad images."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from vision_samples import huge_png_header, picture_png, truncated_png


def autoglm(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "autoglm", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=dict(os.environ)
    )


def test_chat_with_an_image_answers_through_the_projector(
    tmp_path: Path, starter_gguf: Path, projector_gguf: Path
) -> None:
    picture = tmp_path / "picture.png"
    picture.write_bytes(picture_png(3))
    result = autoglm(
        "chat",
        "--model",
        str(starter_gguf),
        "--mmproj",
        str(projector_gguf),
        "--image",
        str(picture),
        "--max-tokens",
        "6",
        "--temperature",
        "0",
        "--no-think",
        "--json",
        "What is in this picture?",
    )
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["usage"]["prompt_tokens"] > 256  # the image's 256 tokens reached the model
    assert reply["usage"]["completion_tokens"] >= 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("cut.png", truncated_png(), "is damaged or truncated"),
        ("notes.jpg", b"not a photo at all\n", "is not an image"),
        ("bomb.png", huge_png_header(30000, 30000), "is too large"),
    ],
    ids=["truncated-png", "text-named-jpg", "30000-square-png"],
)
def test_bad_image_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, starter_gguf: Path, projector_gguf: Path, name: str, data: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = autoglm(
        "chat",
        "--model",
        str(starter_gguf),
        "--mmproj",
        str(projector_gguf),
        "--image",
        str(path),
        "--max-tokens",
        "4",
        "What is this?",
    )
    assert result.returncode == 2
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and "Loading the model" not in line
    ]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("autoglm: ") and name in lines[0] and words in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""
