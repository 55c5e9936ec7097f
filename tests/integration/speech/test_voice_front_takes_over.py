"""A spoken turn the front takes over (Act mode's tasks and "stop") ends back in listening, with
the microphone live, however the confirmation and the transcription interleave.

The turn is transcribed by the real whisper before the end of speech is confirmed (as when it
was answered speculatively at a likely end), and the front is slow to take the words (the
window queues them across threads). The answering thread used to end the turn in that gap:
"listening" came first and "thinking" after it and stayed, and the mic stayed muted.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from speech_audio import spoken_question_16k, wait_for

from autoglm.core.settings import VoiceSettings
from autoglm.speech.conversation import VoiceCallbacks, VoiceConversation, VoiceState, _PendingTurn
from autoglm.speech.file_source import FileAudioSource

pytestmark = pytest.mark.audio


def test_a_taken_over_turn_confirmed_after_its_transcript_ends_in_listening(
    virtual_sound: Any, scheduler: Any, whisper: Any, piper_voice: Any, tmp_path: Any
) -> None:
    heard: list[str] = []
    states: list[VoiceState] = []
    announcing = threading.Event()

    def slow_front(text: str) -> None:
        announcing.set()
        time.sleep(0.3)  # the front takes its time with the words (a queued signal, a busy GUI)
        heard.append(text)

    source = FileAudioSource()
    conversation = VoiceConversation(
        scheduler,
        VoiceSettings(),
        VoiceCallbacks(
            on_transcript=slow_front, on_state=states.append, takes_over=lambda _t: True
        ),
        source=source,
        transcriber=whisper,
        synthesizer=piper_voice,
    )
    conversation.start()
    try:
        turn = _PendingTurn(
            spoken_question_16k(tmp_path, "Tap the alpha button."), time.monotonic()
        )
        conversation._turns.put(turn)  # transcribed now, confirmed only later
        assert wait_for(lambda: turn.text is not None, 60), "whisper never transcribed the turn"
        assert {"tap", "alpha"} <= set(turn.text.lower().replace(".", " ").split())
        conversation._confirm(turn)  # the end of speech, as the listening thread confirms it
        assert announcing.is_set() and heard
        assert wait_for(lambda: conversation.state is VoiceState.LISTENING, 5), states
        time.sleep(0.5)
        assert conversation.state is VoiceState.LISTENING, f"the states went {states}"
        assert conversation.hearing_user, "the microphone is live again for the next words"

        source.play(spoken_question_16k(tmp_path, "Stop now."))
        assert wait_for(lambda: len(heard) == 2, 60), f"the next words were not heard: {states}"
        assert "stop" in heard[1].lower()
        assert wait_for(lambda: conversation.state is VoiceState.LISTENING, 10), states
    finally:
        conversation.close()
