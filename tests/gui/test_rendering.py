"""Message rendering and the small pure helpers behind the sidebar and the controller."""

from __future__ import annotations

import datetime as dt
from typing import Any

from autoglm.ui.conversation_controller import title_from
from autoglm.ui.markdown_html import MarkdownRenderer, split_blocks
from autoglm.ui.sidebar import date_group


def test_markdown_escapes_raw_html_and_numbers_code_blocks_across_the_reply() -> None:
    text = (
        "Intro <script>alert(1)</script>\n\n```python\na = 1\n```\n\nMiddle\n\n```sh\necho hi\n```"
    )
    rendered = MarkdownRenderer().render(text)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert rendered.code_blocks == ["a = 1", "echo hi"]
    assert 'href="copy-code:0"' in rendered.html and 'href="copy-code:1"' in rendered.html


def test_streaming_rerender_matches_a_fresh_render() -> None:
    renderer = MarkdownRenderer()
    reply = "Steps:\n\n1. one\n2. two\n\n```python\ndef f():\n    return 1\n```\n\nDone."
    for end in range(1, len(reply) + 1, 7):
        renderer.render(reply[:end])
    assert renderer.render(reply) == MarkdownRenderer().render(reply)


def test_blank_lines_inside_a_code_fence_do_not_split_it() -> None:
    assert split_blocks("a\n\n```\nx\n\ny\n```\n\nb") == ["a", "```\nx\n\ny\n```", "b"]
    assert split_blocks("```\nunclosed\n\nstill code") == ["```\nunclosed\n\nstill code"]


def test_sidebar_groups_by_day() -> None:
    now = dt.datetime(2026, 5, 20, 15, 0).timestamp()
    day = 86_400
    assert date_group(now - 60, False, now) == "today"
    assert date_group(now - day, False, now) == "yesterday"
    assert date_group(now - 3 * day, False, now) == "week"
    assert date_group(now - 20 * day, False, now) == "month"
    assert date_group(now - 90 * day, False, now) == "older"
    assert date_group(now - 90 * day, True, now) == "pinned"


def test_titles_come_from_the_first_line_and_are_cut(qapp: Any) -> None:
    assert title_from("  Hello\n  world ") == "Hello world"
    long = title_from("word " * 40)
    assert len(long) == 60 and long.endswith("…")
