"""Errors that carry a message meant for the user.

Every failure the user can cause (a bad model file, a missing projector, an oversized
image, no microphone) is raised as a ``UserFacingError`` whose ``str()`` is one clear
sentence. The CLI prints it as one line with its exit code; the app shows it in a
dismissible message. Anything else is a bug and goes through the exception funnel.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """A failure explained in words; ``exit_code`` is what the CLI exits with."""

    exit_code: int = 1


class ModelError(UserFacingError):
    """A model file is missing, damaged, of the wrong kind or too large for this machine."""

    exit_code = 3


class InputError(UserFacingError):
    """Something the user gave (an image, an audio file, a request) cannot be used."""

    exit_code = 2


class DeviceError(UserFacingError):
    """An audio or capture device is missing, busy or vanished."""

    exit_code = 4
