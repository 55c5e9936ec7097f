"""The sound devices PortAudio can see, and choosing one by name."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Literal

from autoglm.core.errors import DeviceError

_LOGGER = logging.getLogger(__name__)
_RESCAN_LOCK = threading.Lock()
_open_streams = 0

Direction = Literal["input", "output"]


@dataclass(frozen=True)
class AudioDevice:
    """One PortAudio device as the device chooser shows it."""

    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default: bool = False

    @property
    def label(self) -> str:
        """Name and host API, as shown in a chooser."""
        return f"{self.name} ({self.host_api})"


def _sounddevice():  # noqa: ANN202 - the module
    import sounddevice  # PortAudio: cheap, but only needed once audio is used

    return sounddevice


def stream_opened() -> None:
    """Count an open stream (a rescan must not re-initialise PortAudio under it)."""
    global _open_streams
    with _RESCAN_LOCK:
        _open_streams += 1


def stream_closed() -> None:
    """Count a closed stream."""
    global _open_streams
    with _RESCAN_LOCK:
        _open_streams = max(0, _open_streams - 1)


def rescan() -> bool:
    """Ask PortAudio to look for devices again (plugged in or removed); ``False`` if streams are open."""
    sd = _sounddevice()
    with _RESCAN_LOCK:
        if _open_streams:
            return False
        sd._terminate()  # noqa: SLF001 - the documented way to refresh the device list
        sd._initialize()  # noqa: SLF001
        return True


def list_devices(direction: Direction) -> list[AudioDevice]:
    """Every device with at least one channel in ``direction``."""
    sd = _sounddevice()
    try:
        raw_devices = sd.query_devices()
        host_apis = sd.query_hostapis()
        default_index = sd.default.device[0 if direction == "input" else 1]
    except sd.PortAudioError as exc:
        raise DeviceError(f"The sound system is not available: {exc}") from exc
    key = "max_input_channels" if direction == "input" else "max_output_channels"
    devices = []
    for index, info in enumerate(raw_devices):
        if info[key] <= 0:
            continue
        devices.append(AudioDevice(
            index=index, name=info["name"], host_api=host_apis[info["hostapi"]]["name"],
            max_input_channels=info["max_input_channels"],
            max_output_channels=info["max_output_channels"],
            default_samplerate=float(info["default_samplerate"]),
            is_default=index == default_index))
    return devices


def list_input_devices() -> list[AudioDevice]:
    """Microphones."""
    return list_devices("input")


def list_output_devices() -> list[AudioDevice]:
    """Speakers and headphones."""
    return list_devices("output")


def find_device(direction: Direction, name: str | None = None) -> AudioDevice:
    """The device called ``name`` (exact, else the first containing it), or the default one."""
    what = "microphone" if direction == "input" else "speaker"
    devices = list_devices(direction)
    if not devices:
        raise DeviceError(f"No {what} was found: connect one, or check that the sound system is running.")
    if name:
        wanted = name.casefold()
        for device in devices:
            if device.name.casefold() == wanted:
                return device
        for device in devices:
            if wanted in device.name.casefold():
                return device
        known = ", ".join(device.name for device in devices)
        raise DeviceError(f"No {what} called '{name}' was found; available: {known}.")
    for device in devices:
        if device.is_default:
            return device
    return devices[0]


def find_input_device(name: str | None = None) -> AudioDevice:
    """The microphone to use (see ``find_device``)."""
    return find_device("input", name)


def find_output_device(name: str | None = None) -> AudioDevice:
    """The speaker to use (see ``find_device``)."""
    return find_device("output", name)


def supports_rate(device: AudioDevice, direction: Direction, rate: int) -> bool:
    """Whether ``device`` opens a mono float32 stream at ``rate`` directly."""
    sd = _sounddevice()
    try:
        if direction == "input":
            sd.check_input_settings(device=device.index, channels=1, dtype="float32", samplerate=rate)
        else:
            sd.check_output_settings(device=device.index, channels=1, dtype="float32", samplerate=rate)
    except (sd.PortAudioError, ValueError):
        return False
    return True
