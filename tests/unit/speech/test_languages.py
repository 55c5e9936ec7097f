"""Which language a turn is heard in, which voice speaks a sentence, which recogniser ``auto`` means."""

from __future__ import annotations

from autoglm.core.settings import Settings, interface_language
from autoglm.speech.asr import choose_language, simplified
from autoglm.speech.models import WHISPER_BASE, WHISPER_TINY_EN, choose_asr_model
from autoglm.speech.voices import written_language


def test_confident_english_stays_english_even_with_a_chinese_interface() -> None:
    assert choose_language([("en", 0.98), ("de", 0.01), ("zh", 0.001)], preferred="zh") == "en"
    assert (
        choose_language([("en", 0.28), ("nl", 0.2), ("zh", 0.004)], preferred="zh", last="zh")
        == "en"
    )


def test_unsure_mandarin_counts_as_chinese_in_context() -> None:
    ranked = [("en", 0.41), ("zh", 0.15), ("ja", 0.1)]  # espeak-ng's "中国的首都是哪里"
    assert choose_language(ranked) == "en"
    assert choose_language(ranked, preferred="zh") == "zh"
    assert choose_language([("en", 0.3), ("zh", 0.2)], last="zh") == "zh"


def test_neither_language_with_english_unlikely_is_chinese() -> None:
    assert choose_language([("th", 0.49), ("en", 0.09), ("zh", 0.004)]) == "zh"
    assert choose_language([("nl", 0.4), ("en", 0.55)]) == "en"


def test_traditional_characters_become_simplified() -> None:
    assert simplified("請給我講一個笑話，這個問題") == "请给我讲一个笑话，这个问题"
    assert simplified("What is it?") == "What is it?"


def test_sentences_are_spoken_in_their_main_language() -> None:
    assert written_language("The capital of France is Paris.") == "en"
    assert written_language("中国的首都是北京。") == "zh"
    assert written_language("我喜欢用Python写代码。") == "zh"
    assert written_language("I learned the word 你好 today in class.") == "en"


def test_auto_recogniser_is_multilingual_for_chinese() -> None:
    assert choose_asr_model("auto", "auto", "en") == WHISPER_TINY_EN
    assert choose_asr_model("auto", "zh", "en") == WHISPER_BASE
    assert choose_asr_model("auto", "auto", "zh_CN") == WHISPER_BASE
    assert choose_asr_model("/my/model", "zh", "zh_CN") == "/my/model"


def test_auto_recogniser_prefers_whisper_small_for_chinese_once_downloaded() -> None:
    from autoglm.core.paths import app_paths
    from autoglm.speech.models import WHISPER_SMALL

    folder = app_paths().models_dir / WHISPER_SMALL  # where the model manager puts it
    folder.mkdir(parents=True)
    (folder / "model.bin").write_bytes(b"weights")
    assert choose_asr_model("auto", "zh", "en") == WHISPER_SMALL
    assert choose_asr_model("auto", "auto", "en") == WHISPER_TINY_EN  # English keeps the fast one


def test_interface_language_follows_the_setting_then_the_system(monkeypatch) -> None:
    settings = Settings()
    chinese = settings.model_copy(
        update={"appearance": settings.appearance.model_copy(update={"language": "zh_CN"})}
    )
    assert interface_language(chinese) == "zh_CN"
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert interface_language(settings) == "zh_CN"
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert interface_language(settings) == "en_GB"
