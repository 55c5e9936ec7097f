"""The compiled translation is made from its source when a checkout or wheel has none (or an older one)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import QTranslator

from autoglm.core.paths import resource_root
from autoglm.ui.translations import translation_file

SOURCE = resource_root() / "i18n" / "autoglm_zh_CN.ts"


def _translates(path: Path) -> str:
    translator = QTranslator()
    assert translator.load(str(path)), path
    return translator.translate("MainWindow", "&New chat")


def test_a_missing_or_stale_qm_is_compiled_from_the_ts_into_the_cache(tmp_path: Path) -> None:
    folder, cache = tmp_path / "i18n", tmp_path / "cache"
    folder.mkdir()
    shutil.copy(SOURCE, folder / SOURCE.name)
    made = translation_file("zh_CN", folder, cache)
    assert made is not None and made.parent == cache
    assert "新" in _translates(made)
    assert translation_file("zh_CN", folder, cache) == made, "compiled once, then reused"

    built = folder / "autoglm_zh_CN.qm"
    shutil.copy(made, built)
    assert translation_file("zh_CN", folder, cache) == built, (
        "a current built file is used as it is"
    )
    older = (folder / SOURCE.name).stat().st_mtime - 60
    os.utime(built, (older, older))
    assert translation_file("zh_CN", folder, cache).parent == cache, (
        "a built file older than its source is not"
    )


def test_a_bundle_carries_only_the_compiled_file(tmp_path: Path) -> None:
    folder = tmp_path / "i18n"
    folder.mkdir()
    assert translation_file("zh_CN", folder, tmp_path / "cache") is None
    made = translation_file("zh_CN", SOURCE.parent, tmp_path / "cache")
    assert made is not None
    shutil.copy(made, folder / "autoglm_zh_CN.qm")
    assert translation_file("zh_CN", folder, tmp_path / "cache") == folder / "autoglm_zh_CN.qm"
