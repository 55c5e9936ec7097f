"""A macOS bundle's update record lies beside it (a file inside would break its signature) and follows it."""

from __future__ import annotations

from pathlib import Path

from autoglm.core.update_install import previous_dir, rollback, swap_in
from autoglm.core.update_origin import origin_path, read_origin, write_origin


def bundle(folder: Path, version: str) -> Path:
    """A stand-in ``.app`` holding only its version."""
    folder.mkdir(parents=True)
    (folder / "VERSION").write_text(version)
    return folder


def files_inside(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_the_record_of_a_bundle_is_written_beside_it_and_read_back(tmp_path: Path) -> None:
    app = bundle(tmp_path / "AutoGLM Desktop.app", "0.2.0")
    write_origin(app, "0.2.0", "https://example.test/feed.json", "0.1.0")
    assert files_inside(app) == {"VERSION"}, "the signed bundle was changed"
    assert origin_path(app).parent == tmp_path
    origin = read_origin(app)
    assert origin is not None and origin["version"] == "0.2.0" and origin["replaced"] == "0.1.0"


def test_a_plain_install_folder_keeps_its_record_inside(tmp_path: Path) -> None:
    folder = bundle(tmp_path / "AutoGLM-Desktop", "0.2.0")
    write_origin(folder, "0.2.0", "https://example.test/feed.json", "0.1.0")
    assert origin_path(folder) == folder / "update-origin.json"
    assert read_origin(folder) is not None


def test_each_bundle_keeps_its_own_record_through_an_update_and_a_rollback(
    tmp_path: Path,
) -> None:
    app = bundle(tmp_path / "AutoGLM Desktop.app", "0.2.0")
    write_origin(app, "0.2.0", "https://example.test/a.json", "0.1.0")
    staged = bundle(tmp_path / ".staged", "0.3.0")
    swap_in(staged, app)
    write_origin(app, "0.3.0", "https://example.test/b.json", "0.2.0")
    previous = previous_dir(app)
    assert (previous / "VERSION").read_text() == "0.2.0"
    assert files_inside(app) == {"VERSION"} and files_inside(previous) == {"VERSION"}
    assert read_origin(app)["version"] == "0.3.0"  # type: ignore[index]
    assert read_origin(previous)["version"] == "0.2.0"  # type: ignore[index]

    rollback(app)
    assert (app / "VERSION").read_text() == "0.2.0"
    assert read_origin(app)["version"] == "0.2.0"  # type: ignore[index]
    assert read_origin(previous)["version"] == "0.3.0"  # type: ignore[index]
