"""``autoglm point`` and ``autoglm act``: refusals in one line with their exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from autoglm.agent.model import load_replies
from autoglm.agent.protocol import parse_reply

ROOT = Path(__file__).resolve().parents[3]


def _autoglm(
    *args: str, home: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    environ = {**os.environ, "AUTOGLM_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "autoglm", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
    )


def _one_line(done: subprocess.CompletedProcess, code: int, words: str) -> None:
    assert done.returncode == code, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_point_with_a_model_that_cannot_see_exits_3(starter_gguf: Path, tmp_path: Path) -> None:
    picture = tmp_path / "screen.png"
    Image.new("RGB", (64, 48), (200, 0, 0)).save(picture)
    done = _autoglm(
        "point",
        "--image",
        str(picture),
        "where is the red button?",
        "--model",
        str(starter_gguf),
        home=tmp_path / "home",
    )
    _one_line(done, 3, "no vision projector")
    assert done.stdout == ""


def test_point_with_a_missing_image_exits_2(tmp_path: Path) -> None:
    _one_line(
        _autoglm("point", "--image", str(tmp_path / "none.png"), "where?", home=tmp_path),
        2,
        "none.png",
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "cannot be read"),
        ("{not json", "is not JSON"),
        ("[]", "non-empty list of model replies"),
        ("[1, 2]", "non-empty list of model replies"),
    ],
)
def test_bad_replay_files_exit_2(tmp_path: Path, content: str | None, words: str) -> None:
    replay = tmp_path / "replies.json"
    if content is not None:
        replay.write_text(content, encoding="utf-8")
    _one_line(_autoglm("act", "--replay", str(replay), "--device", "adb", home=tmp_path), 2, words)


def test_act_usage_errors_exit_2(tmp_path: Path) -> None:
    _one_line(_autoglm("act", home=tmp_path), 2, "act needs a TASK")
    replay = tmp_path / "replies.json"
    replay.write_text('["finish(message=\\"x\\")"]', encoding="utf-8")
    _one_line(
        _autoglm("act", "--replay", str(replay), "--device", "phone", home=tmp_path),
        2,
        "Unknown device 'phone'",
    )
    _one_line(
        _autoglm("act", "--replay", str(replay), "--max-steps", "0", home=tmp_path), 2, "at least 1"
    )


def test_act_on_a_wayland_desktop_is_refused_in_words(tmp_path: Path) -> None:
    replay = tmp_path / "replies.json"
    replay.write_text('["finish(message=\\"x\\")"]', encoding="utf-8")
    done = _autoglm(
        "act",
        "--replay",
        str(replay),
        home=tmp_path,
        env={"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"},
    )
    _one_line(done, 4, "Wayland session")


@pytest.mark.parametrize("name", ["phone-replay.json", "phone-type.json"])
def test_the_documented_phone_replays_are_actions(name: str) -> None:
    replies = load_replies(ROOT / "docs" / "examples" / name)
    assert all(parse_reply(reply).ok for reply in replies)


@pytest.mark.slow
def test_point_prints_the_models_point_in_grid_and_pixels(
    starter_gguf: Path, projector_gguf: Path, tmp_path: Path
) -> None:
    import json

    from autoglm.agent.coordinates import ScreenGeometry, grid_to_pixels
    from autoglm.agent.protocol import GridPoint

    picture = tmp_path / "screen.png"
    image = Image.new("RGB", (640, 400), (30, 60, 200))
    image.paste((220, 40, 40), (100, 100, 300, 200))
    image.save(picture)
    done = _autoglm(
        "point",
        "--image",
        str(picture),
        "Where is the red button?",
        "--model",
        str(starter_gguf),
        "--mmproj",
        str(projector_gguf),
        "--constrained",
        "--marked",
        str(tmp_path / "marked.png"),
        home=tmp_path / "home",
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["image_size"] == [640, 400] and answer["action"]["action"] == "Tap"
    [point] = answer["points"]
    assert (point["pixel_x"], point["pixel_y"]) == grid_to_pixels(
        GridPoint(point["x"], point["y"]), ScreenGeometry(640, 400)
    )
    assert answer["reply"].startswith("<think>") and 'do(action="Tap"' in answer["reply"]
    with Image.open(tmp_path / "marked.png") as marked:
        from autoglm.agent.marks import MARK_COLOUR

        assert (
            marked.size == (640, 400)
            and marked.getpixel((point["pixel_x"], point["pixel_y"])) == MARK_COLOUR
        )
