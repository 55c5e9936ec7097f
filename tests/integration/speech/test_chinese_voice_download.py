"""A piper zh_CN voice downloaded through the hub client (a hub on loopback), then used for Chinese replies."""

from __future__ import annotations

import pytest

from autoglm.core.catalog import ModelRepository
from autoglm.core.errors import ModelError
from autoglm.core.hub import Hub, download_catalog_model
from autoglm.core.paths import app_paths
from autoglm.core.settings import VoiceSettings
from autoglm.speech.espeak import EspeakSynthesizer
from autoglm.speech.models import installed_voices
from autoglm.speech.tts import PiperSynthesizer
from autoglm.speech.voices import SpokenVoices
from fixtures.chinese_voice import HUAYAN, PIPER_VOICES_REPO, chinese_voice_files
from hub_http_server import serving_hub

VOICE_ID = "piper-zh_CN-huayan-medium"


def test_the_chinese_voice_is_downloaded_verified_and_speaks_chinese_replies() -> None:
    repository = ModelRepository(app_paths().ensure())
    settings = VoiceSettings(tts_voice_zh=VOICE_ID, idle_unload_s=0)
    with pytest.raises(ModelError, match="not downloaded yet"):
        SpokenVoices(settings).synthesize("你好。")
    assert VOICE_ID not in [voice for voice, _ in installed_voices("zh")]

    with serving_hub({PIPER_VOICES_REPO: chinese_voice_files()}) as hub:
        progress: list[tuple[int, int | None]] = []
        assert (
            download_catalog_model(
                Hub(hub.endpoint),
                repository,
                VOICE_ID,
                lambda done, total, _rate: progress.append((done, total)),
            )
            == VOICE_ID
        )
        requested = [
            path
            for method, path, _ in hub.state.requests
            if method == "GET" and "/resolve/" in path
        ]
    folder = repository.paths.models_dir / VOICE_ID
    assert sorted(path.name for path in folder.iterdir()) == [HUAYAN, HUAYAN + ".json"]
    assert len(requested) == 2 and "README.md" not in " ".join(
        requested
    )  # only the voice's two files
    assert (
        progress[-1][0] == progress[-1][1] == sum(path.stat().st_size for path in folder.iterdir())
    )
    status = repository.status(repository.catalog.get(VOICE_ID))
    assert status.present and status.verified is not False
    assert VOICE_ID in [voice for voice, _ in installed_voices("zh")]

    voices = SpokenVoices(settings)
    assert isinstance(voices.voice("zh"), PiperSynthesizer)
    chinese = voices.synthesize("今天天气很好，我们去公园吧。")
    english = voices.synthesize("The weather is fine today.")
    assert chinese.sample_rate == english.sample_rate == 22_050
    assert chinese.duration_s > 1.0 and english.duration_s > 1.0
    assert voices.voice("zh").loaded  # the Chinese sentence went to the piper voice, not espeak-ng

    voices.apply_settings(settings.model_copy(update={"tts_voice_zh": "espeak-ng-cmn"}))
    assert isinstance(voices.voice("zh"), EspeakSynthesizer)  # the offline fallback, chosen again
