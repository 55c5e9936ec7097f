"""The ``autoglm`` command as a user runs it: real processes, real model, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def autoglm(
    *args: str,
    home: Path,
    timeout: float = 600,
    stdin: str | None = None,
    prefix: tuple[str, ...] = (),
) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUTOGLM_HOME": str(home)}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "autoglm", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        input=stdin,
    )


def _network_namespace_prefix() -> tuple[str, ...]:
    """``unshare -n`` (a network namespace with nothing but a downed loopback), or skip saying why."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed")
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(
            f"unshare -n is not permitted here (needs root or user namespaces): {probe.stderr.strip()}"
        )
    return (unshare, "-n")


def assert_one_clear_line(result: subprocess.CompletedProcess, code: int, words: str) -> None:
    assert result.returncode == code, result.stderr
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not line.startswith("Loading")
    ]
    assert len(lines) == 1, result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory, starter_gguf: Path) -> Path:
    """An app home whose starter model is already assembled (hard-linked from the session's)."""
    home = tmp_path_factory.mktemp("cli-home")
    target = home / "data" / "models" / "qwen2.5-coder-0.5b" / starter_gguf.name
    target.parent.mkdir(parents=True)
    os.link(starter_gguf, target)
    return home


def test_chat_names_paris(shared_home: Path) -> None:
    result = autoglm(
        "chat",
        "--model",
        "qwen2.5-coder-0.5b",
        "--temperature",
        "0",
        "What is the capital of France?",
        home=shared_home,
    )
    assert result.returncode == 0, result.stderr
    assert "Paris" in result.stdout
    assert "Traceback" not in result.stderr


def test_chat_answers_with_no_network_at_all(shared_home: Path) -> None:
    """Inside a network namespace with no interface up, a question is still answered."""
    prefix = _network_namespace_prefix()
    cut_off = subprocess.run(
        [
            *prefix,
            sys.executable,
            "-c",
            "import socket; socket.create_connection(('1.1.1.1', 80), timeout=2)",
        ],
        capture_output=True,
        text=True,
    )
    assert (
        cut_off.returncode != 0 and "unreachable" in cut_off.stderr.lower()
    )  # there really is no network
    result = autoglm(
        "chat",
        "--model",
        "qwen2.5-coder-0.5b",
        "--temperature",
        "0",
        "--max-tokens",
        "24",
        "What is the capital of France?",
        home=shared_home,
        prefix=prefix,
    )
    assert result.returncode == 0, result.stderr
    assert "Paris" in result.stdout
    assert "Traceback" not in result.stderr


def test_image_for_a_model_without_vision_is_one_line_and_exit_3(
    shared_home: Path, tmp_path: Path
) -> None:
    """A refused image says why once and exits with the model-problem code."""
    from PIL import Image

    picture = tmp_path / "red.png"
    Image.new("RGB", (32, 32), (255, 0, 0)).save(picture)
    result = autoglm(
        "chat",
        "--model",
        "qwen2.5-coder-0.5b",
        "--max-tokens",
        "4",
        "--image",
        str(picture),
        "What colour is this?",
        home=shared_home,
    )
    assert_one_clear_line(result, 3, "no vision projector")
    assert result.stdout == ""


def test_chat_json_has_content_usage_and_timings(shared_home: Path) -> None:
    result = autoglm(
        "chat", "--json", "--max-tokens", "16", "--temperature", "0", "Say hello.", home=shared_home
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["content"] and isinstance(data["reasoning"], str)
    assert data["usage"]["completion_tokens"] > 0 and data["usage"]["prompt_tokens"] > 0
    assert data["timings"]["ttft_s"] > 0


def test_chat_repl_keeps_the_conversation(shared_home: Path) -> None:
    result = autoglm(
        "chat",
        "--temperature",
        "0",
        "--max-tokens",
        "24",
        home=shared_home,
        stdin="My name is Ada. Reply with OK.\nWhat is my name? One word.\n/exit\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Ada" in result.stdout


def test_truncated_gguf_exits_3_in_one_line(
    shared_home: Path, starter_gguf: Path, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.gguf"
    with starter_gguf.open("rb") as source:
        cut.write_bytes(source.read(50_000_000))
    result = autoglm("chat", "--model", str(cut), "hi", home=shared_home)
    assert_one_clear_line(result, 3, "truncated")


def test_text_file_named_gguf_exits_3(shared_home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model")
    assert_one_clear_line(
        autoglm("chat", "--model", str(fake), "hi", home=shared_home), 3, "not a GGUF model"
    )


def test_missing_file_exits_3(shared_home: Path, tmp_path: Path) -> None:
    result = autoglm("chat", "--model", str(tmp_path / "nowhere.gguf"), "hi", home=shared_home)
    assert_one_clear_line(result, 3, "was not found")


def test_checksum_mismatch_exits_3(tmp_path: Path, starter_gguf: Path) -> None:
    home = tmp_path / "home"
    target = home / "data" / "models" / "qwen2.5-coder-0.5b" / starter_gguf.name
    target.parent.mkdir(parents=True)
    shutil.copyfile(starter_gguf, target)
    with target.open("r+b") as handle:  # same size, one byte changed deep inside the weights
        handle.seek(300_000_000)
        byte = handle.read(1)
        handle.seek(300_000_000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    result = autoglm("models", "verify", "qwen2.5-coder-0.5b", home=home)
    assert_one_clear_line(result, 3, "does not match the catalog's checksum")


def test_unknown_model_id_exits_3(shared_home: Path) -> None:
    assert_one_clear_line(
        autoglm("chat", "--model", "no-such-model", "hi", home=shared_home), 3, "Unknown model"
    )


def test_usage_errors_exit_2(shared_home: Path) -> None:
    result = autoglm("chat", "--temperature", "hot", "hi", home=shared_home)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_models_list_where_and_doctor(shared_home: Path) -> None:
    listing = autoglm("models", "list", home=shared_home)
    assert listing.returncode == 0
    assert "qwen2.5-coder-0.5b" in listing.stdout and "autoglm-phone-9b" in listing.stdout
    where = autoglm("models", "where", home=shared_home)
    assert str(shared_home) in where.stdout
    doctor = autoglm("doctor", home=shared_home)
    assert doctor.returncode == 0
    assert "GPU offload" in doctor.stdout and "llama-cpp-python" in doctor.stdout


def test_import_then_chat_by_imported_id(shared_home: Path, starter_gguf: Path) -> None:
    imported = autoglm("models", "import", str(starter_gguf), "--id", "my-coder", home=shared_home)
    assert imported.returncode == 0, imported.stderr
    result = autoglm(
        "chat", "--model", "my-coder", "--max-tokens", "8", "Say hi.", home=shared_home
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_import_links_or_copies_and_says_which_and_a_moved_file_is_missing(
    shared_home: Path, tmp_path: Path, tiny_gguf
) -> None:
    linked, copied = tiny_gguf(tmp_path / "linked.gguf"), tiny_gguf(tmp_path / "copied.gguf")
    result = autoglm("models", "import", str(linked), "--id", "tiny-linked", home=shared_home)
    assert result.returncode == 0, result.stderr
    assert f"(linked from {tmp_path.resolve()})" in result.stdout
    result = autoglm(
        "models", "import", str(copied), "--id", "tiny-copied", "--copy", home=shared_home
    )
    assert result.returncode == 0, result.stderr
    assert "(copied into the models folder)" in result.stdout and "100%" in result.stderr
    assert (shared_home / "data" / "models" / "imported" / "tiny-copied" / "copied.gguf").is_file()
    both = autoglm("models", "import", str(linked), "--copy", "--link", home=shared_home)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr

    linked.rename(tmp_path / "elsewhere.gguf")
    copied.unlink()
    listing = autoglm("models", "list", home=shared_home)
    rows = {line.split()[0]: line for line in listing.stdout.splitlines()}
    assert (
        "file missing" in rows["tiny-linked"]
        and "copied into the models folder" in rows["tiny-copied"]
    )
    chat = autoglm("chat", "--model", "tiny-linked", "Hi.", home=shared_home)
    assert_one_clear_line(chat, 3, "is missing")
