"""The ADB commands sent for each action, on a device object that records its adbutils calls."""

from __future__ import annotations

import base64

import pytest
from PIL import Image

from autoglm.agent.adb import ADB_IME, NO_DEVICE, AdbExecutor, connect_adb, package_for
from autoglm.agent.coordinates import ScreenGeometry
from autoglm.agent.protocol import parse_reply
from autoglm.core.errors import DeviceError

PHONE = ScreenGeometry(1080, 2400)
OTHER_IME = "com.google.android.inputmethod.latin/.LatinIME"


class RecordingDevice:
    """Answers ``shell`` like a phone with Gboard active and the ADB Keyboard installed."""

    def __init__(self, serial: str = "emulator-5554", adb_keyboard: bool = True) -> None:
        self.serial = serial
        self.calls: list[list[str]] = []
        self.adb_keyboard = adb_keyboard

    def shell(self, cmdargs: list[str], timeout: float | None = None) -> str:
        self.calls.append(list(cmdargs))
        if cmdargs[:2] == ["ime", "list"]:
            return f"{OTHER_IME}\n" + (f"{ADB_IME}\n" if self.adb_keyboard else "")
        if cmdargs[:3] == ["settings", "get", "secure"]:
            return OTHER_IME + "\n"
        if cmdargs[:2] == ["dumpsys", "window"]:
            return "  mCurrentFocus=Window{1 u0 com.tencent.mm/com.tencent.mm.ui.LauncherUI}\n"
        return ""

    def screenshot(self) -> Image.Image:
        return Image.new("RGBA", (1080, 2400), (10, 20, 30, 255))


def _commands(call: str) -> list[list[str]]:
    device = RecordingDevice()
    action = parse_reply(call).action
    assert action is not None
    result = AdbExecutor(device).perform(action, PHONE)
    assert result.ok, result.message
    return device.calls


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ('do(action="Tap", element=[500,500])', [["input", "tap", "540", "1200"]]),
        ('do(action="Tap", element=[500,500], message="支付")', [["input", "tap", "540", "1200"]]),
        ('do(action="Double Tap", element=[100,900])', [["input", "tap", "108", "2160"]] * 2),
        (
            'do(action="Long Press", element=[250,250])',
            [["input", "swipe", "270", "600", "270", "600", "3000"]],
        ),
        (
            'do(action="Swipe", start=[500,800], end=[500,200])',
            [["input", "swipe", "540", "1920", "540", "480", "2000"]],
        ),
        (
            'do(action="Swipe", start=[500,500], end=[510,500])',
            [["input", "swipe", "540", "1200", "550", "1200", "1000"]],
        ),
        ('do(action="Back")', [["input", "keyevent", "4"]]),
        ('do(action="Home")', [["input", "keyevent", "KEYCODE_HOME"]]),
        (
            'do(action="Launch", app="微信")',
            [["monkey", "-p", "com.tencent.mm", "-c", "android.intent.category.LAUNCHER", "1"]],
        ),
        (
            'do(action="Launch", app="org.example.notes")',
            [["monkey", "-p", "org.example.notes", "-c", "android.intent.category.LAUNCHER", "1"]],
        ),
    ],
)
def test_command_sequence_for_each_action(call: str, expected: list[list[str]]) -> None:
    assert _commands(call) == expected


@pytest.mark.parametrize("name", ["Type", "Type_Name"])
def test_typing_goes_through_the_adb_keyboard_and_back(name: str) -> None:
    calls = _commands(f'do(action="{name}", text="北京 weather")')
    encoded = base64.b64encode("北京 weather".encode()).decode()
    assert calls == [
        ["ime", "list", "-s"],
        ["settings", "get", "secure", "default_input_method"],
        ["ime", "set", ADB_IME],
        ["am", "broadcast", "-a", "ADB_CLEAR_TEXT"],
        ["am", "broadcast", "-a", "ADB_INPUT_B64", "--es", "msg", encoded],
        ["ime", "set", OTHER_IME],
    ]


def test_typing_without_the_adb_keyboard_says_how_to_install_it() -> None:
    device = RecordingDevice(adb_keyboard=False)
    result = AdbExecutor(device).perform(parse_reply('do(action="Type", text="x")').action, PHONE)  # type: ignore[arg-type]
    assert not result.ok and "ADB Keyboard is not installed" in result.message
    assert device.calls == [["ime", "list", "-s"]], "nothing is typed or switched"


def test_unknown_app_is_a_result_not_a_crash() -> None:
    device = RecordingDevice()
    result = AdbExecutor(device).perform(
        parse_reply('do(action="Launch", app="不存在的应用")').action, PHONE
    )  # type: ignore[arg-type]
    assert not result.ok and "App not found" in result.message and device.calls == []


def test_screenshot_is_native_size_with_the_app_in_front() -> None:
    shot = AdbExecutor(RecordingDevice()).screenshot()
    assert (shot.geometry.width, shot.geometry.height) == (1080, 2400) and shot.image.mode == "RGB"
    assert shot.current_app == "微信"


class Client:
    def __init__(self, devices: list[RecordingDevice] | Exception) -> None:
        self.devices = devices

    def device_list(self) -> list[RecordingDevice]:
        if isinstance(self.devices, Exception):
            raise self.devices
        return self.devices


def test_choosing_a_device() -> None:
    one, two = RecordingDevice("A1"), RecordingDevice("B2")
    assert connect_adb(None, Client([one])).device is one
    assert connect_adb("B2", Client([one, two])).device is two
    with pytest.raises(DeviceError, match="Several phones are connected \\(A1, B2\\)"):
        connect_adb(None, Client([one, two]))
    with pytest.raises(DeviceError, match="No device C3 is connected; connected: A1"):
        connect_adb("C3", Client([one]))
    with pytest.raises(DeviceError) as none:
        connect_adb(None, Client([]))
    assert str(none.value) == NO_DEVICE
    with pytest.raises(DeviceError, match="The ADB server cannot be reached"):
        connect_adb(None, Client(ConnectionRefusedError("refused")))


def test_package_names() -> None:
    assert package_for("settings") == "com.android.settings"
    assert package_for("com.android.chrome") == "com.android.chrome"
    assert package_for("Notes") is None
