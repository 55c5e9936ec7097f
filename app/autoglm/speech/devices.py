"""The sound devices PortAudio can see, and choosing one by name."""

from __future__ import annotations

import logging
import re
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

    @property
    def display_name(self) -> str:
        """The name in words a menu shows (ALSA's plug-in names mean little to most people)."""
        return readable_name(self.name)


_PLUGIN_NAMES = {
    "default": "Default sound device",
    "sysdefault": "System sound card",
    "pulse": "PulseAudio sound server",
    "pipewire": "PipeWire sound server",
    "jack": "JACK sound server",
    "dmix": "Shared output (dmix)",
    "dsnoop": "Shared input (dsnoop)",
}
_HW_SUFFIX = re.compile(r"\s*\((?:plug)?hw:\d+(?:,\d+)*\)$")

# PortAudio error codes (portaudio.h, PaErrorCode) and what they mean to someone at a desk.
_GONE = "it is not connected, or the sound system (PulseAudio or PipeWire) is not running"
_PORTAUDIO_REASONS = {
    -9996: _GONE,  # paInvalidDevice
    -9993: _GONE,  # paBadIODeviceCombination: the device list is stale (server gone)
    -9985: "another program is using it",  # paDeviceUnavailable
    -9998: "it cannot record or play one channel of sound",  # paInvalidChannelCount
    -9997: "it does not accept a usable sample rate",  # paInvalidSampleRate
    -9986: "the sound system failed inside",  # paInternalError
    -9999: "the sound system refused it (is PulseAudio or PipeWire running?)",  # paUnanticipatedHostError
    -10000: "the sound system is not started",  # paNotInitialized
}


def readable_name(name: str) -> str:
    """``pulse`` → "PulseAudio sound server"; ``HDA Intel: ALC (hw:0,0)`` → "HDA Intel: ALC"."""
    plain = name.strip()
    if plain.casefold() in _PLUGIN_NAMES:
        return _PLUGIN_NAMES[plain.casefold()]
    return _HW_SUFFIX.sub("", plain) or plain


def portaudio_reason(exc: BaseException) -> str:
    """Why PortAudio failed, as a phrase in words (never its raw text or error code)."""
    code = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
    if code in _PORTAUDIO_REASONS:
        return _PORTAUDIO_REASONS[code]
    text = str(exc)
    if "querying device -1" in text or "No such device" in text:
        return _GONE
    if "Device unavailable" in text or "busy" in text.casefold():
        return _PORTAUDIO_REASONS[-9985]
    if isinstance(exc, ValueError):
        return "it does not accept mono sound at a usable rate"
    return "the sound system reported an error"


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
        raise DeviceError(
            f"The sound devices could not be listed: {portaudio_reason(exc)}."
        ) from exc
    key = "max_input_channels" if direction == "input" else "max_output_channels"
    devices = []
    for index, info in enumerate(raw_devices):
        if info[key] <= 0:
            continue
        devices.append(
            AudioDevice(
                index=index,
                name=info["name"],
                host_api=host_apis[info["hostapi"]]["name"],
                max_input_channels=info["max_input_channels"],
                max_output_channels=info["max_output_channels"],
                default_samplerate=float(info["default_samplerate"]),
                is_default=index == default_index,
            )
        )
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
        raise DeviceError(
            f"No {what} was found: connect one, or check that the sound system is running."
        )
    if name:
        wanted = name.casefold()
        for device in devices:
            if device.name.casefold() == wanted:
                return device
        for device in devices:
            if wanted in device.name.casefold():
                return device
        known = ", ".join(
            f"{device.display_name} ({device.name})"
            if device.display_name != device.name
            else device.name
            for device in devices
        )
        raise DeviceError(
            f"No {what} called '{readable_name(name)}' was found; available: {known}."
        )
    for device in devices:
        if device.is_default:
            return device
    return devices[0]


def open_failure(what: str, device: AudioDevice, exc: BaseException) -> DeviceError:
    """The error for a device PortAudio could not open, in words: what, which, why, what to do."""
    return DeviceError(
        f"The {what} “{device.display_name}” could not be opened: {portaudio_reason(exc)}. "
        f"Check that it is plugged in, or choose another {what} in Voice → Devices."
    )


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
            sd.check_input_settings(
                device=device.index, channels=1, dtype="float32", samplerate=rate
            )
        else:
            sd.check_output_settings(
                device=device.index, channels=1, dtype="float32", samplerate=rate
            )
    except (sd.PortAudioError, ValueError):
        return False
    return True
