"""Has the user finished? Rules on the words heard so far, to end a turn by meaning, not by a fixed silence.

The voice loop transcribes speculatively after 96 ms of silence; these rules read that
transcript. A finished sentence (a question mark, a full stop after a finished clause) is
answered after a short silence (``finished_silence_ms``, 250 ms by default); a pause after a
word that leans on the next ("and", "the", "然后", "的"), a comma or an unpunctuated
fragment waits up to ``unfinished_silence_ms`` (1.2 s) for the rest. A sentence mark the
recogniser itself was unsure of (``end_confidence`` under ``UNSURE_END``) does not finish a
sentence: whisper closes a fragment whose last word it dropped ("What do bees make and"
heard as "What do these make?") with a question mark it gives 0.2, against 0.55-0.9 for
whole questions. Pure logic on strings and numbers, tested with plain values.
"""

from __future__ import annotations

import enum
import re

_SENTENCE_ENDS = "?!.？！。"
_CONTINUES = ",;:，、；：…-—"
# English words after which a sentence cannot end: conjunctions, articles, prepositions,
# auxiliaries, possessives, fillers.
_EN_LEANING = frozenset(
    """
a an the and or but so because if when while than then that which who whose whom what where
of to in on at by for from with about into onto over under after before between like as
is are was were be been am do does did have has had can could will would should shall may
might must not my your his her its our their this these those some any very more most
um uh er erm hmm like also plus either neither nor
""".split()
)
# Chinese endings that lean on what follows: conjunctions, particles of modification,
# prepositions, fillers.
_ZH_LEANING = (
    "然后",
    "但是",
    "可是",
    "因为",
    "所以",
    "而且",
    "还有",
    "或者",
    "如果",
    "就是",
    "那个",
    "这个",
    "还是",
    "以及",
    "并且",
    "不过",
    "比如",
    "的",
    "和",
    "跟",
    "与",
    "在",
    "把",
    "被",
    "给",
    "对",
    "从",
    "向",
    "是",
    "嗯",
    "呃",
    "就",
    "要",
    "想",
    "请问",
)
_ZH_WHOLE_REPLIES = ("是的", "好的", "对的", "真的", "行的")
_ZH_FINAL_PARTICLES = ("吗", "呢", "吧", "啊", "呀", "么", "了", "嘛")
UNSURE_END = 0.4  # below this probability for its final mark, a "finished" sentence may go on
_WORD = re.compile(
    r"[A-Za-z0-9']+"
)  # a number is a word too ("What is 2 plus 3?" ends in "3", not "plus")
_HAN = re.compile(r"[\u3400-\u9fff]")


class TurnVerdict(enum.Enum):
    """What the words so far say about the turn."""

    FINISHED = "finished"  # a complete sentence: answer after the short silence
    UNFINISHED = "unfinished"  # mid-sentence: wait for the long silence
    UNSURE = "unsure"  # no clear sign: the ordinary end-of-turn silence


def judge(text: str, end_confidence: float | None = None) -> TurnVerdict:
    """Read a partial transcript (and how sure the recogniser was of its final mark): finished, unfinished or unsure."""
    verdict = _judge_words(text)
    if (
        verdict is TurnVerdict.FINISHED
        and end_confidence is not None
        and end_confidence < UNSURE_END
    ):
        return TurnVerdict.UNFINISHED
    return verdict


def _judge_words(text: str) -> TurnVerdict:
    words = text.strip().strip("\"'”’」』）)").strip()
    if not words:
        return TurnVerdict.UNSURE
    last = words[-1]
    if words.endswith(("...", "…")) or last in _CONTINUES:
        return TurnVerdict.UNFINISHED
    body = words.rstrip(_SENTENCE_ENDS).rstrip()
    if _HAN.search(body[-1:] if body else ""):
        if body.endswith(_ZH_LEANING) and not body.endswith(
            _ZH_FINAL_PARTICLES + _ZH_WHOLE_REPLIES
        ):
            return TurnVerdict.UNFINISHED
        if last in _SENTENCE_ENDS or body.endswith(_ZH_FINAL_PARTICLES + _ZH_WHOLE_REPLIES):
            return TurnVerdict.FINISHED
        return TurnVerdict.UNSURE
    tail = _WORD.findall(body.lower())
    if tail and tail[-1] in _EN_LEANING:
        return TurnVerdict.UNFINISHED
    if last in _SENTENCE_ENDS:
        return TurnVerdict.FINISHED
    return TurnVerdict.UNSURE


def end_silence_ms(
    verdict: TurnVerdict, finished_ms: int, unfinished_ms: int, unsure_ms: int
) -> int:
    """The silence that ends the turn, given what the words say."""
    if verdict is TurnVerdict.FINISHED:
        return finished_ms
    if verdict is TurnVerdict.UNFINISHED:
        return unfinished_ms
    return unsure_ms
