"""Command-line flags generated from the settings model, so each option is defined once."""

from __future__ import annotations

import argparse
import types
import typing
from typing import Any

from pydantic import BaseModel

from autoglm.core.settings import SETTINGS_GROUPS, Settings


def _flag_name(field_name: str) -> str:
    return "--" + field_name.replace("_", "-")


def _scalar_type(annotation: Any) -> Any:
    """The plain type behind ``X | None`` and ``Literal[...]``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _scalar_type(args[0]) if len(args) == 1 else str
    if origin is typing.Literal:
        return str
    return annotation


def add_settings_arguments(
    parser: argparse.ArgumentParser, groups: tuple[str, ...] = SETTINGS_GROUPS
) -> None:
    """Add one flag per scalar field of the given groups (dest ``group__field``)."""
    for group in groups:
        model = Settings.model_fields[group].annotation
        assert isinstance(model, type) and issubclass(model, BaseModel), (
            f"{group} is a settings group"
        )
        arg_group = parser.add_argument_group(f"{group} settings")
        for name, field in model.model_fields.items():
            kind = _scalar_type(field.annotation)
            dest = f"{group}__{name}"
            help_text = field.description or name
            if kind is bool:
                arg_group.add_argument(
                    _flag_name(name),
                    dest=dest,
                    action=argparse.BooleanOptionalAction,
                    default=None,
                    help=help_text,
                )
            elif kind in (int, float, str):
                choices = None
                if typing.get_origin(field.annotation) is typing.Literal:
                    choices = list(typing.get_args(field.annotation))
                arg_group.add_argument(
                    _flag_name(name),
                    dest=dest,
                    type=kind,
                    default=None,
                    choices=choices,
                    help=help_text,
                    metavar=name.upper(),
                )


def overrides_from_args(args: argparse.Namespace, settings: Settings) -> Settings:
    """``settings`` with every flag the user gave applied on top."""
    per_group: dict[str, dict[str, Any]] = {}
    for dest, value in vars(args).items():
        if value is None or "__" not in dest:
            continue
        group, field = dest.split("__", 1)
        if group in Settings.model_fields:
            per_group.setdefault(group, {})[field] = value
    for group, values in per_group.items():
        current = getattr(settings, group)
        settings = settings.model_copy(
            update={group: type(current).model_validate({**current.model_dump(), **values})}
        )
    return settings
