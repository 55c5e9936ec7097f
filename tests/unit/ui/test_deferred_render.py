"""The GUI thread never builds a code lexer: it shows the code plain and the lexer is built in the background."""

from __future__ import annotations

import threading

import pytest

from autoglm.ui import deferred_render, markdown_html
from autoglm.ui.markdown_html import MarkdownRenderer

FORTRAN = "```fortran\nprogram hello\n  print *, 'hi'\nend program hello\n```"


def _code(rendered: markdown_html.RenderedMarkdown) -> str:
    """The code lines of the one block (after its header with the language and Copy)."""
    return rendered.html.split("Copy</a>", 1)[1]


@pytest.fixture
def unbuilt_fortran(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fortran's lexer forgotten, and the threads that build any lexer recorded."""
    monkeypatch.delitem(markdown_html._lexers, "fortran", raising=False)
    builders: list[str] = []
    build = markdown_html._lexer

    def recording(language: str) -> object:
        builders.append(threading.current_thread().name)
        return build(language)

    monkeypatch.setattr(markdown_html, "_lexer", recording)
    return builders


def test_a_lexer_not_built_yet_is_built_off_the_gui_thread_and_the_block_renders_again(
    unbuilt_fortran: list[str],
) -> None:
    done = threading.Event()
    deferred_render.add_listener(done.set)
    try:
        renderer = MarkdownRenderer()
        first = renderer.render(
            FORTRAN
        )  # this test runs on the main thread, which is the GUI thread
        assert not first.final
        assert "program hello" in first.html and "<span" not in _code(
            first
        )  # plain, no highlighting
        assert done.wait(30), "the background lexer never finished"
        assert unbuilt_fortran and threading.main_thread().name not in unbuilt_fortran
        second = renderer.render(FORTRAN)
    finally:
        deferred_render.remove_listener(done.set)
    assert second.final
    assert second.code_blocks == first.code_blocks
    assert "<span" in _code(second)  # highlighted now


def test_a_worker_thread_builds_the_lexer_itself_and_renders_final(
    unbuilt_fortran: list[str],
) -> None:
    results: list[markdown_html.RenderedMarkdown] = []
    worker = threading.Thread(
        target=lambda: results.append(MarkdownRenderer().render(FORTRAN)), name="measure"
    )
    worker.start()
    worker.join(30)
    assert results and results[0].final
    assert unbuilt_fortran == ["measure"]


def test_a_fence_line_still_being_written_never_scans_for_plugins_on_the_gui_thread(
    unbuilt_fortran: list[str],
) -> None:
    markdown_html._lexer_names()  # as the start-up warm-up leaves it
    renderer = MarkdownRenderer()
    for partial in ("```f", "```fo", "```for", "```fort"):
        renderer.render(partial + "\nx = 1")
    assert threading.main_thread().name not in unbuilt_fortran
