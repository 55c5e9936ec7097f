"""With the API server on and voice used, whisper and the voice are loaded once, in the Runtime."""

from __future__ import annotations

import time

import httpx
import psutil
import pytest
from speech_audio import QUESTION, spoken_question_16k, wait_for

from autoglm.core.lazy_model import LazyModel
from autoglm.core.runtime import Runtime
from autoglm.core.settings import ServerSettings, Settings, VoiceSettings
from autoglm.core.types import SamplingParams
from autoglm.server import ApiServer
from autoglm.speech.conversation import VoiceCallbacks, VoiceConversation
from autoglm.speech.factory import SpeechModelFactory
from autoglm.speech.file_source import FileAudioSource

pytestmark = pytest.mark.audio


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / (1024 * 1024)


def test_voice_loop_and_api_share_one_recogniser_and_one_voice(
    virtual_sound, scheduler, tmp_path
) -> None:
    voice = VoiceSettings(asr_model="whisper-tiny.en", idle_unload_s=0)
    settings = Settings(voice=voice, server=ServerSettings(port=0))
    runtime = Runtime(settings=settings, speech=SpeechModelFactory())
    loads_before = LazyModel.loads.copy()
    rss_before = rss_mb()
    source, turns, errors = FileAudioSource(), [], []
    conversation = VoiceConversation(
        scheduler,
        voice,
        VoiceCallbacks(on_turn_done=turns.append, on_error=errors.append),
        source=source,
        transcriber=runtime.recognizer,
        synthesizer=runtime.synthesizer,
        sampling=SamplingParams(temperature=0.0, max_tokens=16, seed=1),
    )
    server = ApiServer(runtime, settings).start()
    try:
        conversation.start()
        source.play(spoken_question_16k(tmp_path, QUESTION))
        assert wait_for(lambda: turns, 120), f"no spoken answer; errors: {errors}"
        rss_voice = rss_mb()
        with httpx.Client(base_url=server.url, timeout=120) as http:
            spoken = http.post(
                "/v1/audio/speech",
                json={"model": "tts-1", "input": "What is the capital of France?"},
            )
            assert spoken.status_code == 200, spoken.text
            heard = http.post(
                "/v1/audio/transcriptions", files={"file": ("a.wav", spoken.content, "audio/wav")}
            )
            assert heard.status_code == 200, heard.text
        time.sleep(0.2)
        rss_api = rss_mb()
    finally:
        server.stop()
        conversation.close()
        runtime.close()
    loads = LazyModel.loads - loads_before
    assert "france" in heard.json()["text"].lower()
    assert "capital" in turns[0].user_text.lower()
    assert loads["speech recognition model"] == 1, loads
    assert loads["voice"] == 1, loads
    # the API's requests added no second model: far less memory than the first loads took
    assert rss_api - rss_voice < 40, (rss_before, rss_voice, rss_api)
    print(
        f"RSS {rss_before:.0f} → {rss_voice:.0f} MiB with voice used → {rss_api:.0f} MiB after the API's speech"
    )
