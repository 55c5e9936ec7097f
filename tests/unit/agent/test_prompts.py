"""The agent prompts: Open-AutoGLM's wording with today's date, and the user turns."""

from __future__ import annotations

from datetime import date

import pytest

from autoglm.agent.prompts import first_user_text, next_user_text, system_prompt
from autoglm.agent.protocol import DO_ACTIONS


def test_chinese_prompt_names_every_action_with_the_date() -> None:
    prompt = system_prompt("zh", date(2026, 12, 1))
    assert prompt.startswith("今天的日期是: 2026年12月01日 星期二\n你是一个智能体分析专家")
    for name in DO_ACTIONS:
        assert f'do(action="{name}"' in prompt
    assert 'finish(message="xxx")' in prompt
    assert "坐标系统从左上角 (0,0) 开始到右下角（999,999)结束" in prompt


def test_english_prompt() -> None:
    prompt = system_prompt("en", date(2026, 12, 1))
    assert prompt.startswith("The current date: 2026-12-01, Tuesday\n# Setup\n")
    assert (
        'do(action="Tap", element=[x,y])' in prompt
        and 'finish(message="Task completed.")' in prompt
    )


def test_user_turns_as_open_autoglm_sends_them() -> None:
    assert first_user_text("打开设置", "微信") == '打开设置\n\n{"current_app": "微信"}'
    assert next_user_text("System Home") == '** Screen Info **\n\n{"current_app": "System Home"}'


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="zh and en"):
        system_prompt("fr")  # type: ignore[arg-type]


def test_the_stop_word_is_heard_whatever_its_punctuation_and_other_words_are_not() -> None:
    from autoglm.agent.prompts import is_stop_word, prompt_language

    assert all(
        is_stop_word(heard)
        for heard in ("Stop.", "stop!", " STOP ", "停！", "停止。", "Stop, stop.")
    )
    assert not any(
        is_stop_word(heard) for heard in ("Stop the music and open settings", "don't stop", "")
    )
    assert prompt_language("打开设置") == "zh" and prompt_language("Open the settings") == "en"
