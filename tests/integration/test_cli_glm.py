"""The ``autoglm`` command with the AutoGLM-Phone-9B stand-in: import, verify, doctor, the REPL's /image.

Real processes, each with its own app home; every bad case is one sentence and an exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image


def autoglm(
    *args: str, home: Path, stdin: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUTOGLM_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "autoglm", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        input=stdin,
    )


def test_verify_and_doctor_include_an_imported_model(tmp_path: Path, glm_standin) -> None:
    home = tmp_path / "home"
    imported = autoglm(
        "models",
        "import",
        str(glm_standin.model),
        "--mmproj",
        str(glm_standin.mmproj),
        "--id",
        "phone-standin",
        home=home,
    )
    assert imported.returncode == 0, imported.stderr
    one = autoglm("models", "verify", "phone-standin", home=home)
    assert one.returncode == 0, one.stderr
    assert "phone-standin: imported, readable GGUF (glm4, Q4_K_M" in one.stdout
    every = autoglm("models", "verify", home=home)
    assert "phone-standin: imported" in every.stdout, every.stdout + every.stderr
    doctor = autoglm("doctor", home=home)
    assert (
        "model phone-standin" in doctor.stdout
        and "imported (glm4, Q4_K_M), readable" in doctor.stdout
    )


def test_a_tiny_file_imported_as_autoglm_phone_9b_is_not_verified(
    tmp_path: Path, glm_standin
) -> None:
    home = tmp_path / "home"
    assert (
        autoglm(
            "models",
            "import",
            str(glm_standin.model),
            "--mmproj",
            str(glm_standin.mmproj),
            "--id",
            "autoglm-phone-9b",
            home=home,
        ).returncode
        == 0
    )
    listing = autoglm("models", "list", home=home)
    row = next(line for line in listing.stdout.splitlines() if line.startswith("autoglm-phone-9b"))
    assert "verified" not in row.replace("not verified", "") and "it is not this model" in row
    verify = autoglm("models", "verify", "autoglm-phone-9b", home=home)
    assert verify.returncode == 3 and "verified" not in verify.stdout
    assert (
        "is about 6.2 GB: it is not this model" in verify.stderr
        and "Traceback" not in verify.stderr
    )


def test_an_imported_old_conversion_with_its_projector_fails_verify_in_words(
    tmp_path: Path, glm_standin, glm_old_conversion
) -> None:
    home = tmp_path / "home"
    refused = autoglm(
        "models",
        "import",
        str(glm_old_conversion),
        "--mmproj",
        str(glm_standin.mmproj),
        "--id",
        "old",
        home=home,
    )
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "converted before llama.cpp supported its images" in refused.stderr
    chat = autoglm(
        "chat",
        "--model",
        str(glm_old_conversion),
        "--mmproj",
        str(glm_standin.mmproj),
        "--image",
        str(_screenshot(tmp_path)),
        "--max-tokens",
        "4",
        "Tap it",
        home=home,
    )
    assert chat.returncode not in (0, -6, 134) and "Traceback" not in chat.stderr
    assert "reconvert it with a current llama.cpp" in chat.stderr


def _screenshot(folder: Path) -> Path:
    path = folder / "screen.png"
    Image.new("RGB", (112, 224), (240, 240, 240)).save(path)
    return path


def test_the_repl_takes_an_image(tmp_path: Path, glm_standin) -> None:
    home = tmp_path / "home"
    screen = _screenshot(tmp_path)
    script = (
        f"/image {tmp_path / 'missing.png'}\n/image {screen} What is on the screen?\n"
        f"/image {screen}\nAnd now?\n/exit\n"
    )
    result = autoglm(
        "chat",
        "--model",
        str(glm_standin.model),
        "--mmproj",
        str(glm_standin.mmproj),
        "--max-tokens",
        "4",
        "--temperature",
        "0",
        home=home,
        stdin=script,
    )
    assert result.returncode == 0, result.stderr
    assert "missing.png was not found" in result.stderr
    assert f"Attached {screen}" in result.stderr
    assert "Traceback" not in result.stderr
