"""An Android phone over ADB (adbutils) as the agent's screen, as Open-AutoGLM drives it.

Taps, swipes and keys are ``input`` shell commands; typing goes through the ADB Keyboard
(``com.android.adbkeyboard/.AdbIME``): switch to it, clear the field, broadcast the text as
base64 (so Chinese arrives intact), switch back. Apps start with ``monkey -p PACKAGE``.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import socket
import subprocess
import time
from typing import Any, Protocol

from autoglm.agent.coordinates import ScreenGeometry
from autoglm.agent.executor import ActionResult, Executor, Screenshot
from autoglm.agent.protocol import (
    Action,
    Back,
    DoubleTap,
    Home,
    Launch,
    LongPress,
    Swipe,
    Tap,
    Type,
    TypeName,
)
from autoglm.core.errors import DeviceError

_LOGGER = logging.getLogger(__name__)

ADB_IME = "com.android.adbkeyboard/.AdbIME"
LONG_PRESS_MS = 3000
DOUBLE_TAP_INTERVAL_S = 0.1
NO_DEVICE = (
    "No Android device is connected. Turn on USB debugging on the phone (Settings → "
    "Developer options), connect it by USB and accept the prompt on its screen; "
    "`adb devices` should then list it as 'device'."
)

# App names the model uses → Android packages (from Open-AutoGLM's phone_agent/config/apps.py).
APP_PACKAGES: dict[str, str] = {
    "微信": "com.tencent.mm",
    "WeChat": "com.tencent.mm",
    "QQ": "com.tencent.mobileqq",
    "微博": "com.sina.weibo",
    "淘宝": "com.taobao.taobao",
    "京东": "com.jingdong.app.mall",
    "拼多多": "com.xunmeng.pinduoduo",
    "小红书": "com.xingin.xhs",
    "知乎": "com.zhihu.android",
    "高德地图": "com.autonavi.minimap",
    "百度地图": "com.baidu.BaiduMap",
    "美团": "com.sankuai.meituan",
    "大众点评": "com.dianping.v1",
    "饿了么": "me.ele",
    "携程": "ctrip.android.view",
    "12306": "com.MobileTicket",
    "铁路12306": "com.MobileTicket",
    "滴滴出行": "com.sdu.didi.psnger",
    "bilibili": "tv.danmaku.bili",
    "抖音": "com.ss.android.ugc.aweme",
    "快手": "com.smile.gifmaker",
    "网易云音乐": "com.netease.cloudmusic",
    "QQ音乐": "com.tencent.qqmusic",
    "飞书": "com.ss.android.lark",
    "设置": "com.android.settings",
    "Settings": "com.android.settings",
    "Chrome": "com.android.chrome",
    "Gmail": "com.google.android.gm",
    "Google Maps": "com.google.android.apps.maps",
    "YouTube": "com.google.android.youtube",
    "Camera": "com.android.camera2",
    "相机": "com.android.camera2",
}
_PACKAGE = re.compile(r"^[A-Za-z][\w]*(\.[A-Za-z_][\w]*)+$")


class AdbDevice(Protocol):
    """The part of ``adbutils.AdbDevice`` the executor uses."""

    serial: str | None

    def shell(self, cmdargs: Any, timeout: float | None = ...) -> Any:
        """Run a shell command on the phone; its output."""

    def screenshot(self) -> Any:
        """The phone's screen as a PIL image."""


def package_for(app: str) -> str | None:
    """The package to start for an app name (or the name itself when it is a package)."""
    if app in APP_PACKAGES:
        return APP_PACKAGES[app]
    folded = {name.casefold(): package for name, package in APP_PACKAGES.items()}
    if app.casefold() in folded:
        return folded[app.casefold()]
    return app if _PACKAGE.match(app) else None


def swipe_duration_ms(start: tuple[int, int], end: tuple[int, int]) -> int:
    """Open-AutoGLM's swipe time: squared distance / 1000, kept to 1–2 s."""
    distance_sq = (start[0] - end[0]) ** 2 + (start[1] - end[1]) ** 2
    return max(1000, min(int(distance_sq / 1000), 2000))


class AdbExecutor(Executor):
    """Acts on a connected Android phone through its ``adbutils`` device."""

    kind = "adb"

    def __init__(self, device: AdbDevice) -> None:
        self.device = device

    def _shell(self, *args: str) -> str:
        output = self.device.shell(list(args), timeout=20)
        return output if isinstance(output, str) else str(output)

    def screenshot(self) -> Screenshot:
        """The phone's screen (native size: the model's grid is read against it)."""
        try:
            image = self.device.screenshot().convert("RGB")
        except Exception as exc:  # adbutils raises several kinds; told in words
            raise DeviceError(f"The phone's screen could not be captured: {exc}") from exc
        return Screenshot(image, ScreenGeometry(image.width, image.height), self.current_app())

    def current_app(self) -> str:
        """The app in front: its name when known, its package otherwise, "System Home" if none."""
        output = self._shell("dumpsys", "window")
        for line in output.splitlines():
            if "mCurrentFocus" in line or "mFocusedApp" in line:
                for name, package in APP_PACKAGES.items():
                    if package in line:
                        return name
                match = re.search(r"\s([\w.]+)/", line)
                if match and "launcher" not in match.group(1):
                    return match.group(1)
        return "System Home"

    def perform(self, action: Action, geometry: ScreenGeometry) -> ActionResult:
        """Send the action's ``input`` / ``am`` / ``monkey`` commands."""
        if isinstance(action, (Tap, DoubleTap)):
            x, y = self.target(action.element, geometry)
            self._shell("input", "tap", str(x), str(y))
            if isinstance(action, DoubleTap):
                time.sleep(DOUBLE_TAP_INTERVAL_S)
                self._shell("input", "tap", str(x), str(y))
        elif isinstance(action, LongPress):
            x, y = self.target(action.element, geometry)
            self._shell("input", "swipe", str(x), str(y), str(x), str(y), str(LONG_PRESS_MS))
        elif isinstance(action, Swipe):
            start, end = self.target(action.start, geometry), self.target(action.end, geometry)
            self._shell(
                "input", "swipe", *map(str, (*start, *end)), str(swipe_duration_ms(start, end))
            )
        elif isinstance(action, (Type, TypeName)):
            return self._type(action.text)
        elif isinstance(action, Back):
            self._shell("input", "keyevent", "4")
        elif isinstance(action, Home):
            self._shell("input", "keyevent", "KEYCODE_HOME")
        elif isinstance(action, Launch):
            package = package_for(action.app)
            if package is None:
                return ActionResult(
                    False,
                    f"App not found: {action.app} (give its package name, "
                    "e.g. com.android.settings)",
                )
            self._shell("monkey", "-p", package, "-c", "android.intent.category.LAUNCHER", "1")
        else:
            return ActionResult(False, f"{action.name} is not something the phone does.")
        return ActionResult(True, self.describe(action, geometry))

    def _type(self, text: str) -> ActionResult:
        """Type through the ADB Keyboard, then give the phone its own keyboard back."""
        if ADB_IME not in self._shell("ime", "list", "-s"):
            return ActionResult(
                False,
                "The ADB Keyboard is not installed on the phone: install "
                "ADBKeyboard.apk (github.com/senzhk/ADBKeyBoard) and enable it "
                "in Settings → Keyboards.",
            )
        original = self._shell("settings", "get", "secure", "default_input_method").strip()
        if ADB_IME not in original:
            self._shell("ime", "set", ADB_IME)
        try:
            self._shell("am", "broadcast", "-a", "ADB_CLEAR_TEXT")
            encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
            self._shell("am", "broadcast", "-a", "ADB_INPUT_B64", "--es", "msg", encoded)
        finally:
            if original and ADB_IME not in original:
                self._shell("ime", "set", original)
        return ActionResult(True, f"typed {len(text)} characters")


def _client() -> Any:
    """A client of the ADB server, started quietly first if none is running (as ``adb`` itself does)."""
    import adbutils

    host = os.environ.get("ANDROID_ADB_SERVER_HOST", "127.0.0.1")
    port = int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037"))
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        if host in ("127.0.0.1", "localhost"):
            try:
                subprocess.run(
                    [adbutils.adb_path(), "-P", str(port), "start-server"],
                    capture_output=True,
                    timeout=30,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                _LOGGER.warning("Starting the ADB server failed: %s", exc)
    return adbutils.AdbClient(host=host, port=port)


def _devices(client: Any) -> list[Any]:
    try:
        return list(client.device_list())
    except Exception as exc:  # no adb server, no adb binary, a refused socket…
        raise DeviceError(
            f"The ADB server cannot be reached ({exc}). Is adb installed? "
            "`adb start-server` starts it."
        ) from exc


def list_phones(client: Any = None) -> list[str]:
    """The serials of the phones connected now (blocking; may start the ADB server); DeviceError in words."""
    try:
        client = _client() if client is None else client
    except ImportError as exc:
        raise DeviceError(f"Phones cannot be reached: {exc}") from exc
    return [device.serial for device in _devices(client)]


def connect_adb(serial: str | None = None, client: Any = None) -> AdbExecutor:
    """The executor for the phone ``serial`` (or the only one connected); a DeviceError in words if none."""
    client = _client() if client is None else client
    devices = _devices(client)
    serials = [device.serial for device in devices]
    if not devices:
        raise DeviceError(NO_DEVICE)
    if serial is not None:
        if serial not in serials:
            raise DeviceError(f"No device {serial} is connected; connected: {', '.join(serials)}.")
        return AdbExecutor(devices[serials.index(serial)])
    if len(devices) > 1:
        raise DeviceError(
            f"Several phones are connected ({', '.join(serials)}): choose one with "
            "--device adb:SERIAL."
        )
    return AdbExecutor(devices[0])
