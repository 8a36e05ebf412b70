"""Reading a script: the text a person writes, turned into shot lines and cast declarations.

The syntax (one shot per non-empty line)::

    # a comment
    @Ana: pictures/ana.png | a tall woman in a red coat
    Ana walks into the market. [4s]
    The stalls are full of oranges. | close-up of oranges piled high

- ``[4s]`` / ``[2.5s]`` anywhere in a line fixes the shot's length (and is removed from the text);
- ``Narration | Visual``: the words spoken | what the shot shows (without ``|`` the narration is also the visual);
- ``@Name: picture | description``: a cast member (picture path relative to the script; both parts optional);
- in ``mode="auto"`` a line with several sentences and no ``[Ns]`` or ``|`` becomes one shot per sentence;
  ``mode="lines"`` keeps every line whole; ``mode="prose"`` joins each paragraph (lines up to a blank line)
  and splits it into sentences.

Errors are one line naming the script line: ``line 4: [0s] is not a length``. A script is text a person
typed, or a file someone sent: its size, its number of lines and shots, and each shot's text are capped.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

MAX_SCRIPT_CHARS = 200_000     # about 30 000 words: hours of narration
MAX_SCRIPT_LINES = 5_000
MAX_SHOTS = 500                # a storyboard of more cards is not one a person can edit
MAX_SHOT_CHARS = 2_000         # a prompt longer than this is not a shot, it is a pasted document
MAX_CAST = 50
MAX_NAME_CHARS = 60
MAX_SHOT_SECONDS = Fraction(300)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
MODES = ("auto", "lines", "prose")


class ScriptError(ValueError):
    """A script that cannot be read; the message is one line, naming the line when there is one."""


@dataclass(frozen=True)
class ScriptLine:
    """One shot: the words spoken over it, what it shows ("" = the narration), a fixed length (None: follow
    the narration). ``line`` is where it came from in the script (1-based), for messages."""

    narration: str
    visual: str = ""
    seconds: Fraction | None = None
    line: int = 0


@dataclass(frozen=True)
class ScriptCast:
    """A cast declaration: ``image`` resolved against the script's folder when one was given ("" none)."""

    name: str
    image: str = ""
    description: str = ""


@dataclass
class Script:
    lines: list[ScriptLine] = field(default_factory=list)
    cast: list[ScriptCast] = field(default_factory=list)


# --- lengths ---------------------------------------------------------------------------------------------

# A bracket that *looks* like a length: starts with a sign or digit and ends in "s"/"sec"/"seconds". Anything
# else in brackets ("[laughs]", "[music]") is text.
_LENGTH = re.compile(r"\[\s*([+-]?[0-9][^\]\n]{0,18}?)\s*(?:s|secs?|seconds?)\s*\]", re.IGNORECASE)
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


def _length(token: str, number: str, where: str) -> Fraction:
    if not _NUMBER.fullmatch(number):
        raise ScriptError(f"{where}: {token} is not a length (write it as [4s] or [2.5s])")
    value = Fraction(number.replace(",", "."))
    if value <= 0:
        raise ScriptError(f"{where}: {token} is not a length: a shot lasts more than 0 seconds")
    if value > MAX_SHOT_SECONDS:
        raise ScriptError(f"{where}: {token} is too long: a shot lasts at most {MAX_SHOT_SECONDS} seconds")
    return value


def _take_length(text: str, where: str) -> tuple[str, Fraction | None]:
    found = list(_LENGTH.finditer(text))
    if not found:
        return text, None
    if len(found) > 1:
        raise ScriptError(f"{where}: two lengths ({found[0].group(0)} and {found[1].group(0)}); a shot has one")
    m = found[0]
    seconds = _length(m.group(0), m.group(1).strip(), where)
    return _squeeze(text[:m.start()] + " " + text[m.end():]), seconds


# --- sentences -------------------------------------------------------------------------------------------

# Words that end in a full stop without ending a sentence (compared case-insensitively, without the dot).
_ABBREVIATION_WORDS = """
    mr mrs ms mx dr prof sr jr st mt ft rev capt lt sgt messrs mme mlle
    vs etc e.g i.e cf approx fig figs vol vols dept univ inc ltd corp
    a.m p.m u.s u.k u.n jan feb aug sep sept oct nov dec
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_BEFORE_NUMBERS = frozenset(("no", "nos", "p", "pp", "ch", "vol", "fig"))   # "No. 5", "p. 12"

_ENDS = ".!?…。！？"
_CLOSERS = "\"'”’»)]）」』"
_SENTENCE_END = re.compile(rf"[{re.escape(_ENDS)}]+[{re.escape(_CLOSERS)}]*(?=\s|$)")
_CJK_END = re.compile(r"[。！？]+[」』）”]*")


def split_sentences(text: str) -> list[str]:
    """``text`` as sentences, keeping their punctuation. Does not split after an abbreviation ("Dr.", "e.g."),
    an initial ("J. R. R."), inside a number ("3.5"), or before a word in lower case ("... and so on")."""
    text = _squeeze(text)
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if not _ends_sentence(text, m.start(), m.group(0), end):
            continue
        piece = text[start:end].strip()
        if piece:
            out.append(piece)
        start = end
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    # Chinese and Japanese end sentences without a space after them.
    return [p for piece in out for p in _split_cjk(piece)]


def _ends_sentence(text: str, at: int, mark: str, end: int) -> bool:
    following = text[end:].lstrip()
    if not following:
        return True
    if mark[0] in "!?！？。":
        return True
    first = following[0]
    if first.islower():
        return False   # "e.g. apples", "... and then": a sentence does not start in lower case
    if mark.startswith("."):
        word = re.search(r"([\w.]+)$", text[:at])
        token = word.group(1).casefold() if word else ""
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            return False   # "Dr. Smith", "J. Smith"
        if token in _BEFORE_NUMBERS and first.isdigit():
            return False   # "No. 5"
        if re.fullmatch(r"(?:\w\.)+\w", token):
            return False   # "U.S.A. Today"
    return True


def _split_cjk(piece: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _CJK_END.finditer(piece):
        if m.end() < len(piece) and not piece[m.end()].isspace():
            parts.append(piece[start:m.end()].strip())
            start = m.end()
    parts.append(piece[start:].strip())
    return [p for p in parts if p]


# --- the parser ------------------------------------------------------------------------------------------

_CAST = re.compile(r"@\s*([^:|]*?)\s*(?::\s*(.*))?")


def parse_script(text: str | bytes, *, base_dir: str | os.PathLike[str] | None = None,
                 mode: str = "auto") -> Script:
    """Read a script (see the module's doc for the syntax). ``base_dir`` is the script file's folder: cast
    pictures are resolved against it and must exist. Raises ScriptError (one line) for what it cannot use."""
    if mode not in MODES:
        raise ScriptError(f"unknown script mode {mode!r}: use one of {', '.join(MODES)}")
    text = _as_text(text)
    lines = text.split("\n")
    if len(lines) > MAX_SCRIPT_LINES:
        raise ScriptError(f"the script has {len(lines)} lines; at most {MAX_SCRIPT_LINES} can be read: split it "
                          "into parts")
    script = Script()
    declared: dict[str, int] = {}
    paragraph: list[tuple[int, str]] = []

    def flush() -> None:
        if paragraph:
            _add_prose(script, paragraph)
            paragraph.clear()

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        where = f"line {number}"
        if not line:
            flush()
            continue
        if line.startswith("#"):
            continue
        if line.startswith("@"):
            flush()
            _add_cast(script, line, where, number, declared, base_dir)
            continue
        if len(line) > MAX_SHOT_CHARS:
            raise ScriptError(f"{where}: the line is {len(line)} characters long; a shot's text is at most "
                              f"{MAX_SHOT_CHARS}")
        if mode == "prose" and "|" not in line and not _LENGTH.search(line):
            paragraph.append((number, line))
        else:
            flush()
            _add_line(script, line, where, number, split=mode == "auto")
        _check_count(script)
    flush()
    _check_count(script)
    if not script.lines:
        raise ScriptError("the script has no shots: write one line per shot")
    return script


def _as_text(text: str | bytes) -> str:
    if isinstance(text, bytes):
        if len(text) > 4 * MAX_SCRIPT_CHARS:
            raise ScriptError(f"the script is {len(text)} bytes long; at most {MAX_SCRIPT_CHARS} characters can "
                              "be read: split it into parts")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScriptError(f"the script is not UTF-8 text (byte {exc.start})") from None
    if not isinstance(text, str):
        raise ScriptError(f"a script is text, not {type(text).__name__}")
    if len(text) > MAX_SCRIPT_CHARS:
        raise ScriptError(f"the script is {len(text)} characters long; at most {MAX_SCRIPT_CHARS} can be read: "
                          "split it into parts")
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    # Tabs and other control characters are not words: a tab reads as a space, the rest is dropped.
    return "".join(" " if ch == "\t" else ch for ch in text
                   if ch == "\n" or ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cf") or ch == "\u200d")


def _check_count(script: Script) -> None:
    if len(script.lines) > MAX_SHOTS:
        raise ScriptError(f"the script makes more than {MAX_SHOTS} shots; a storyboard holds at most {MAX_SHOTS}: "
                          "split it into parts")


def _add_line(script: Script, line: str, where: str, number: int, *, split: bool) -> None:
    text, seconds = _take_length(line, where)
    if "|" in text:
        narration, _, visual = text.partition("|")
        if "|" in visual:
            raise ScriptError(f"{where}: more than one '|'; a shot line is 'narration | visual'")
        narration, visual = _squeeze(narration), _squeeze(visual)
        if not narration and not visual:
            raise ScriptError(f"{where}: the shot has no words and no picture")
        script.lines.append(ScriptLine(narration, visual, seconds, number))
        return
    text = _squeeze(text)
    if not text:
        raise ScriptError(f"{where}: {line} is a length with no shot: write the words or the picture too")
    sentences = split_sentences(text) if split and seconds is None else [text]
    for sentence in sentences or [text]:
        script.lines.append(ScriptLine(sentence, "", seconds, number))


def _add_prose(script: Script, paragraph: list[tuple[int, str]]) -> None:
    number = paragraph[0][0]
    joined = " ".join(line for _, line in paragraph)
    for sentence in split_sentences(joined):
        if len(sentence) > MAX_SHOT_CHARS:
            raise ScriptError(f"line {number}: a sentence of {len(sentence)} characters; a shot's text is at most "
                              f"{MAX_SHOT_CHARS}")
        script.lines.append(ScriptLine(sentence, "", None, _line_of(paragraph, sentence)))


def _line_of(paragraph: list[tuple[int, str]], sentence: str) -> int:
    head = sentence.split(" ", 1)[0]
    for number, line in paragraph:
        if head in line:
            return number
    return paragraph[0][0]


def _add_cast(script: Script, line: str, where: str, number: int, declared: dict[str, int],
              base_dir: str | os.PathLike[str] | None) -> None:
    m = _CAST.fullmatch(line)
    name = _squeeze(m.group(1)) if m else ""
    if not m or not name:
        raise ScriptError(f"{where}: a cast line is '@Name: picture.png | description'")
    if len(name) > MAX_NAME_CHARS:
        raise ScriptError(f"{where}: a cast name is at most {MAX_NAME_CHARS} characters")
    if not re.search(r"\w", name):
        raise ScriptError(f"{where}: {name!r} is not a name")
    key = name.casefold()
    if key in declared:
        raise ScriptError(f"{where}: @{name} is declared twice (also on line {declared[key]})")
    rest = m.group(2) or ""
    if "|" in rest:
        image, _, description = rest.partition("|")
    elif rest.strip().lower().endswith(IMAGE_SUFFIXES):
        image, description = rest, ""
    else:
        image, description = "", rest
    image, description = image.strip().strip("\"'"), _squeeze(description)
    if len(description) > MAX_SHOT_CHARS:
        raise ScriptError(f"{where}: the description of {name} is longer than {MAX_SHOT_CHARS} characters")
    if image:
        image = _picture(image, base_dir, name, where)
    if len(script.cast) >= MAX_CAST:
        raise ScriptError(f"{where}: more than {MAX_CAST} cast members")
    declared[key] = number
    script.cast.append(ScriptCast(name, image, description))


def _picture(image: str, base_dir: str | os.PathLike[str] | None, name: str, where: str) -> str:
    if base_dir is None:
        return image
    shown = image if len(image) <= 80 else image[:79] + "…"
    shown = shown if shown.isprintable() else repr(shown)
    try:   # an unknown ~user, a name too long for the file system, a NUL byte: the path cannot be looked up
        path = Path(image).expanduser()
        if not path.is_absolute():
            path = Path(base_dir) / path
        found = path.is_file()
        resolved = str(path.resolve()) if found else ""
    except (OSError, RuntimeError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a usable path"
        raise ScriptError(f"{where}: the picture of {name}, {shown}, cannot be read: {why}") from None
    if not found:
        raise ScriptError(f"{where}: the picture of {name}, {shown}, was not found next to the script")
    return resolved


def _squeeze(text: str) -> str:
    return " ".join(text.split())
