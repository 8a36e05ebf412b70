"""How long narration takes to say, before a voice has said it: a words-per-second model that sets the first
length of a shot (``fit_to_narration`` replaces it with the spoken length once the speech is made)."""

from __future__ import annotations

import math
import re
from fractions import Fraction

WORDS_PER_SECOND = Fraction(5, 2)   # 150 words a minute: a calm narrator (espeak and Kokoro say ~160-180)
PAUSE_SECONDS = Fraction(1, 4)      # each comma, colon or sentence end inside the line
TAIL_SECONDS = Fraction(3, 10)      # the breath after the line
MIN_SECONDS = Fraction(2)

# Scripts written without spaces between words (Chinese, Japanese, Thai...): count characters instead, about
# five a second when spoken.
_DENSE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\uac00-\ud7af]")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_PAUSE = re.compile(r"[,;:.!?…，、；：。！？]+(?=\s|\w|$)")


def estimate_seconds(narration: str, speed: float = 1.0) -> Fraction:
    """Seconds it takes to say ``narration`` at ``speed`` (1.0 normal, 1.25 a quarter faster): whole words at
    2.5 a second plus short pauses at punctuation, rounded up to a tenth; at least 2 s (a shot shorter than
    that is hard to read, whatever is said over it)."""
    if isinstance(speed, bool) or not isinstance(speed, (int, float, Fraction)) or not math.isfinite(speed) \
            or not 0.25 <= speed <= 4:
        raise ValueError(f"a speaking speed is a number from 0.25 to 4, got {speed!r}")
    text = narration or ""
    dense = len(_DENSE.findall(text))
    words = len(_WORD.findall(_DENSE.sub(" ", text)))
    if not words and not dense:
        return MIN_SECONDS
    pauses = len(_PAUSE.findall(text.strip()[:-1])) if len(text.strip()) > 1 else 0
    rate = WORDS_PER_SECOND * Fraction(speed).limit_denominator(1000)
    seconds = (words + Fraction(dense, 2)) / rate + pauses * PAUSE_SECONDS + TAIL_SECONDS
    tenths = math.ceil(seconds * 10)
    return max(MIN_SECONDS, Fraction(tenths, 10))
