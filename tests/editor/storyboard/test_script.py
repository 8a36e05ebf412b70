"""Reading scripts: one shot per line, [Ns] lengths, 'narration | visual', @cast lines, comments, sentences;
hostile input refused in one line."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from editor.storyboard.script import (
    MAX_SHOTS,
    ScriptCast,
    ScriptError,
    ScriptLine,
    parse_script,
    split_sentences,
)


def test_one_shot_per_line_with_lengths_visuals_and_comments():
    script = parse_script("# opening\nA quiet morning. [4s]\nThe kettle sings | steam rising from a kettle\n"
                          "\n  Birds outside [2.5s] the window.  \n")
    assert script.lines == [
        ScriptLine("A quiet morning.", "", Fraction(4), 2),
        ScriptLine("The kettle sings", "steam rising from a kettle", None, 3),
        ScriptLine("Birds outside the window.", "", Fraction(5, 2), 5),
    ]
    assert script.cast == []


def test_a_line_of_several_sentences_becomes_one_shot_each_in_auto_mode():
    script = parse_script("Ana wakes up. She looks outside! Is it raining?")
    assert [line.narration for line in script.lines] == ["Ana wakes up.", "She looks outside!", "Is it raining?"]
    assert {line.line for line in script.lines} == {1}


def test_a_length_or_a_visual_keeps_the_line_whole():
    script = parse_script("Ana wakes up. She looks outside. [5s]\nOne. Two. | a count")
    assert [(line.narration, line.visual) for line in script.lines] == [
        ("Ana wakes up. She looks outside.", ""), ("One. Two.", "a count")]


def test_lines_mode_never_splits_and_prose_mode_joins_paragraphs():
    text = "The fog rolled in over the\nharbour. Nobody moved.\n\nThen a bell rang."
    assert [line.narration for line in parse_script(text, mode="lines").lines] == [
        "The fog rolled in over the", "harbour. Nobody moved.", "Then a bell rang."]
    assert [line.narration for line in parse_script(text, mode="prose").lines] == [
        "The fog rolled in over the harbour.", "Nobody moved.", "Then a bell rang."]


def test_sentences_do_not_split_after_abbreviations_numbers_or_initials():
    assert split_sentences("Dr. Smith paid 3.5 dollars at 4 p.m. on Monday. Then she left.") == [
        "Dr. Smith paid 3.5 dollars at 4 p.m. on Monday.", "Then she left."]
    assert split_sentences("Bring fruit, e.g. apples. J. R. R. Tolkien wrote it. Room No. 5 is ours.") == [
        "Bring fruit, e.g. apples.", "J. R. R. Tolkien wrote it.", "Room No. 5 is ours."]
    assert split_sentences('He said "Go." Then he left... and came back?') == [
        'He said "Go."', "Then he left... and came back?"]
    assert split_sentences("我们走吧。他说好。") == ["我们走吧。", "他说好。"]


def test_cast_lines_with_picture_and_description(tmp_path: Path):
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "ana.png").write_bytes(b"\x89PNG")
    script = parse_script("@Ana: pics/ana.png | a tall woman\n@Bo: a small brown dog\n@Cy: pics/ana.png\n@Di\n"
                          "Ana and Bo go out.", base_dir=tmp_path)
    picture = str((tmp_path / "pics" / "ana.png").resolve())
    assert script.cast == [ScriptCast("Ana", picture, "a tall woman"), ScriptCast("Bo", "", "a small brown dog"),
                           ScriptCast("Cy", picture, ""), ScriptCast("Di", "", "")]
    assert [line.narration for line in script.lines] == ["Ana and Bo go out."]


def test_without_a_folder_pictures_are_kept_as_written():
    assert parse_script("@Ana: ana.png\nHi.").cast == [ScriptCast("Ana", "ana.png", "")]


def test_unicode_text_is_kept_and_line_endings_and_bom_are_normalised():
    script = parse_script("\ufeffCafé crème ☕ in Zürich.\r\nשלום עולם\r\n👩\u200d🚀 lands.\x07")
    assert [line.narration for line in script.lines] == ["Café crème ☕ in Zürich.", "שלום עולם", "👩\u200d🚀 lands."]
    assert parse_script("Caf\u0065\u0301.".encode()).lines[0].narration == "Café."


@pytest.mark.parametrize(("text", "message"), [
    ("one\ntwo\nthree\nA dog [0s] barks.", r"line 4: \[0s\] is not a length"),
    ("A dog [-2s] barks.", r"line 1: \[-2s\] is not a length"),
    ("A dog [1.2.3s] barks.", r"line 1: \[1.2.3s\] is not a length"),
    ("A dog [900s] barks.", "line 1: .* is too long"),
    ("x\nA [2s] dog [3s]", "line 2: two lengths"),
    ("a | b | c", "line 1: more than one '|'"),
    ("[3s]", "line 1: .*a length with no shot"),
    (" | ", "line 1: the shot has no words and no picture"),
    ("@: ana.png", "line 1: a cast line is"),
    ("@Ana\n@ana: | again", r"line 2: @ana is declared twice \(also on line 1\)"),
    ("# only a comment\n\n", "the script has no shots"),
    ("x" * 2_500, "line 1: the line is 2500 characters long"),
])
def test_bad_scripts_are_refused_in_one_line_naming_the_line(text, message):
    with pytest.raises(ScriptError, match=message) as info:
        parse_script(text)
    assert "\n" not in str(info.value)


def test_a_missing_picture_is_refused(tmp_path: Path):
    with pytest.raises(ScriptError, match="line 1: the picture of Ana, gone.png, was not found"):
        parse_script("@Ana: gone.png\nAna waves.", base_dir=tmp_path)


def test_hostile_sizes_are_refused_before_any_work():
    with pytest.raises(ScriptError, match="at most 200000 can be read"):
        parse_script("word " * 10_000_000)   # 50 MB
    with pytest.raises(ScriptError, match="the script has 10000 lines"):
        parse_script("shot\n" * 9_999 + "shot")
    with pytest.raises(ScriptError, match=f"more than {MAX_SHOTS} shots"):
        parse_script("A shot.\n" * (MAX_SHOTS + 1))
    with pytest.raises(ScriptError, match="not UTF-8"):
        parse_script(b"caf\xe9")
    with pytest.raises(ScriptError, match="unknown script mode"):
        parse_script("x", mode="poetry")
