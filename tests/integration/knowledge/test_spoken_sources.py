"""A spoken question about a project's documents is answered aloud "According to <file>", through real devices.

espeak-ng asks into the virtual microphone, whisper hears it, the passages of the test
documents ground the starter model's reply, piper speaks it on the virtual speaker, and
what the speaker said is recorded and transcribed back.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from autoglm.core.settings import VoiceSettings
from autoglm.core.types import SamplingParams
from autoglm.speech.conversation import VoiceCallbacks, VoiceConversation, VoiceState
from fixtures.documents import write_corpus

sys.path.insert(0, str(Path(__file__).parents[1] / "speech"))  # speech_audio

from speech_audio import espeak_wav, wait_for

pytestmark = [pytest.mark.audio, pytest.mark.slow, pytest.mark.timeout(900)]


def test_a_spoken_answer_names_the_document_it_comes_from(
    virtual_sound: Any,
    scheduler: Any,
    whisper: Any,
    piper_voice: Any,
    sentence_embedder: Any,
    tmp_path: Path,
) -> None:
    from autoglm.knowledge.index import DocumentIndex
    from autoglm.knowledge.library import as_citation

    index = DocumentIndex(tmp_path / "docs.sqlite3", sentence_embedder)
    index.add("harbour", [write_corpus(tmp_path / "docs")])
    turns: list[Any] = []
    errors: list[str] = []
    conversation = VoiceConversation(
        scheduler,
        VoiceSettings(),
        VoiceCallbacks(on_turn_done=turns.append, on_error=errors.append),
        transcriber=whisper,
        synthesizer=piper_voice,
        sampling=SamplingParams(temperature=0.0, max_tokens=40, seed=1),
        passages=lambda text: [as_citation(p) for p in index.search("harbour", text, 3)],
    )
    question = espeak_wav("How many tonnes can the harbour crane lift?", tmp_path / "question.wav")
    recording = virtual_sound.record_speaker(tmp_path / "speaker.raw")
    try:
        conversation.start()
        assert wait_for(lambda: conversation.source.blocks_since_open > 0, 15), (
            "the microphone gave no sound"
        )
        virtual_sound.play_into_mic(question).wait(30)
        assert wait_for(lambda: turns, 400), f"no answer; errors: {errors}"
        assert wait_for(lambda: conversation.state is VoiceState.LISTENING, 60)
    finally:
        conversation.close()
        audio = recording.stop()
        index.close()
    assert [
        e for e in errors if "stopped delivering sound" not in e
    ] == []  # a stall of a loaded machine's audio
    (turn,) = turns
    assert (
        turn.citations
        and turn.citations[0].source == "harbour-report.pdf"
        and turn.citations[0].page == 3
    )
    assert "38" in turn.full_reply
    heard = whisper.transcribe(audio).text.lower()
    assert "according to" in heard and "harbour" in heard.replace("harbor", "harbour"), heard
    stored = conversation.own_conversation.turns()[-1]
    assert stored.citations == turn.citations
