"""Which open windows the Act picker offers, and why none are listed where they cannot be."""

from __future__ import annotations

from autoglm.agent.coordinates import ScreenRect
from autoglm.agent.windows import DesktopWindow, listing_refusal, offered_windows

OWN = 4242


def _window(wid: int, title: str, pid: int | None = 7, width: int = 300) -> DesktopWindow:
    return DesktopWindow(wid, title, ScreenRect(10, 20, width, 200), pid)


def test_the_apps_own_windows_untitled_and_empty_ones_are_not_offered() -> None:
    windows = [
        _window(1, "Terminal"),
        _window(2, "AutoGLM Desktop", pid=OWN),
        _window(3, "AutoGLM — Settings", pid=OWN),
        _window(4, "   "),
        _window(5, "Tiny", width=1),
        _window(6, "browser — Files"),
        _window(1, "Terminal"),  # listed twice by the window manager
        _window(7, "No process known", pid=None),
    ]
    offered = offered_windows(windows, OWN)
    assert [w.title for w in offered] == ["browser — Files", "No process known", "Terminal"]
    assert [w.id for w in offered] == [6, 7, 1], "sorted by title, ignoring case, each once"


def test_windows_with_the_same_title_are_both_offered_in_a_fixed_order() -> None:
    offered = offered_windows([_window(9, "Untitled"), _window(3, "Untitled")], OWN)
    assert [w.id for w in offered] == [3, 9]


def test_where_windows_cannot_be_listed_it_is_said_in_words() -> None:
    x11 = {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}
    assert listing_refusal(x11, "linux") == ""
    wayland = listing_refusal({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, "linux")
    assert "Wayland" in wayland and "cannot be listed" in wayland
    no_x = listing_refusal({}, "linux")
    assert "no X display" in no_x and "cannot be listed" in no_x
    assert "only on a Linux X11 desktop" in listing_refusal(x11, "win32")
