"""When the desktop cannot be driven, the reason in words."""

from __future__ import annotations

from autoglm.agent.desktop import desktop_refusal


def test_wayland_is_refused_in_words() -> None:
    by_type = desktop_refusal({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, "linux")
    assert by_type is not None and "Wayland session" in by_type and "X11" in by_type
    assert desktop_refusal({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux") == by_type


def test_x11_and_other_systems_are_allowed() -> None:
    assert desktop_refusal({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, "linux") is None
    assert desktop_refusal({"XDG_SESSION_TYPE": "wayland"}, "darwin") is None
    assert desktop_refusal({}, "win32") is None


def test_no_display() -> None:
    assert "no X display" in (desktop_refusal({}, "linux") or "")
