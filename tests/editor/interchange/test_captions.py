"""Caption files (.srt, .vtt): what reads, what is refused and how, what is written, and cues as frames."""

from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from editor.interchange.captions import (
    MAX_BYTES,
    MAX_CUES,
    CaptionError,
    Cue,
    cues_to_frames,
    format_srt,
    format_vtt,
    frames_to_cue,
    non_overlapping,
    parse_srt,
    parse_vtt,
    read_captions,
    write_srt,
    write_vtt,
)

F = Fraction


def ms(value: int) -> Fraction:
    return F(value, 1000)


def one_line_error(excinfo: pytest.ExceptionInfo[CaptionError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and "\r" not in message
    assert "Traceback" not in message
    return message


SAMPLE_SRT = """1
00:00:01,000 --> 00:00:02,500
Hello there.

2
00:00:03,000 --> 00:00:04,000
Two lines,
kept as two.
"""

SAMPLE_CUES = [Cue(F(1), ms(2500), "Hello there."), Cue(F(3), F(4), "Two lines,\nkept as two.")]


# --- SRT ------------------------------------------------------------------------------------------------------


def test_srt_basic_cues_with_multiline_text() -> None:
    assert parse_srt(SAMPLE_SRT) == SAMPLE_CUES


def test_srt_index_lines_are_optional_and_their_numbers_are_not_trusted() -> None:
    text = "00:00:01,000 --> 00:00:02,500\nHello there.\n\n7\n00:00:03,000 --> 00:00:04,000\nTwo lines,\nkept as two.\n"
    assert parse_srt(text) == SAMPLE_CUES


def test_srt_missing_blank_line_between_cues_still_separates_them() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,500\nHello there.\n2\n00:00:03,000 --> 00:00:04,000\nTwo lines,\nkept as two."
    assert parse_srt(text) == SAMPLE_CUES


def test_srt_time_variants_dot_separator_short_fractions_big_hours_and_coordinates() -> None:
    text = (
        "1\n00:00:01.5 --> 00:00:02.25\na\n\n"
        "2\n123:00:00,000 --> 123:00:01,007\nb\n\n"
        "3\n00:00:05,000 --> 00:00:06,000 X1:100 X2:200 Y1:300 Y2:400\nc\n\n"
        "4\n00:00:07 --> 00:00:08\nd\n\n"
        "5\n00:09,000-->00:10,000\ne\n"
    )
    assert parse_srt(text) == [
        Cue(F(3, 2), F(9, 4), "a"),
        Cue(F(5), F(6), "c"),
        Cue(F(7), F(8), "d"),
        Cue(F(9), F(10), "e"),
        Cue(F(123 * 3600), 123 * 3600 + ms(1007), "b"),
    ]


def test_srt_formatting_tags_and_ass_overrides_are_stripped() -> None:
    text = (
        '1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<i>Top</i> and <B>bold</B> <u>u</u>\n'
        '<font color="#ffff00" face="Arial">yellow</font>{\\i1}x{\\i0}\n'
    )
    assert parse_srt(text) == [Cue(F(1), F(2), "Top and bold u\nyellowx")]


@pytest.mark.parametrize(
    "literal",
    [
        "It's 10:30 - 50% off \\o/ \"quoted\"",
        "I <3 you, 2 < 3 > 1",
        "{not an override} & [music]",
        "emoji \U0001f600\U0001f3ac and CJK 字幕",
        "مرحبا بالعالم",
        "<notatag> <ib>",
        "42",
    ],
)
def test_srt_text_is_otherwise_kept_literally(literal: str) -> None:
    text = f"1\n00:00:01,000 --> 00:00:02,000\n{literal}\n"
    assert parse_srt(text) == [Cue(F(1), F(2), literal)]


def test_srt_blank_line_inside_a_cue_continues_that_cue() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\nsecond\n\n2\n00:00:03,000 --> 00:00:04,000\nthird\n"
    assert parse_srt(text) == [Cue(F(1), F(2), "first\nsecond"), Cue(F(3), F(4), "third")]


def test_cues_come_back_sorted_by_start_overlaps_kept() -> None:
    text = (
        "1\n00:00:05,000 --> 00:00:06,000\nlate\n\n"
        "2\n00:00:01,000 --> 00:00:09,000\nlong\n\n"
        "3\n00:00:02,000 --> 00:00:03,000\ninside\n"
    )
    assert [cue.text for cue in parse_srt(text)] == ["long", "inside", "late"]


def test_cues_with_no_text_left_are_dropped() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n\n2\n00:00:03,000 --> 00:00:04,000\nkept\n"
    assert parse_srt(text) == [Cue(F(3), F(4), "kept")]


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings_crlf_cr_lf(newline: str) -> None:
    assert parse_srt(SAMPLE_SRT.replace("\n", newline)) == SAMPLE_CUES
    assert parse_vtt(format_vtt(SAMPLE_CUES).replace("\n", newline)) == SAMPLE_CUES


# --- VTT ------------------------------------------------------------------------------------------------------

SAMPLE_VTT = """WEBVTT - a title
Kind: captions
Language: en

STYLE
::cue { color: yellow }

REGION
id:fred width:40%

NOTE this is
a comment over lines

intro
00:01.000 --> 00:02.500 align:start line:0 position:10%
<v Roger Bingham>Hello</v> <c.loud>there</c>.

00:00:03.000 --> 00:00:04.000
Two <00:00:03.500>lines,
<i>kept</i> as two.
"""


def test_vtt_skips_header_style_region_note_and_identifiers_and_strips_tags() -> None:
    assert parse_vtt(SAMPLE_VTT) == SAMPLE_CUES


def test_vtt_entities_are_decoded_after_tags_are_stripped() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" \
        "A &amp; B &lt;i&gt; &gt;&nbsp;x &lrm;&rlm; &#65;&#x42; &amp;lt; &bogus;\n"
    assert parse_vtt(text) == [Cue(F(1), F(2), "A & B <i> >\u00a0x \u200e\u200f AB &lt; &bogus;")]


def test_vtt_header_alone_on_first_line_and_cue_right_after_header() -> None:
    assert parse_vtt("WEBVTT\n00:01.000 --> 00:02.000\nx") == [Cue(F(1), F(2), "x")]


def test_vtt_without_header_is_an_error() -> None:
    with pytest.raises(CaptionError) as excinfo:
        parse_vtt(SAMPLE_SRT, source="subs.vtt")
    assert one_line_error(excinfo) == "subs.vtt line 1: '1' is not a WEBVTT header"


# --- errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1\n00:00:01,000 --> 00:00:02,000\nok\n\n12\n00:00:01,000 -> 00:00:02\nbad\n",
         "subs.srt line 6: '00:00:01,000 -> 00:00:02' is not a cue time"),
        ("1\n00:00:01,000 --> 00:00:02,000\nok\n\n00:00:03,000 --> 00:00:0x\nbad\n",
         "subs.srt line 5: '00:00:03,000 --> 00:00:0x' is not a cue time"),
        ("1\n00:00:01,000 --> 00:61:02,000\nminutes over 59\n",
         "subs.srt line 2: '00:00:01,000 --> 00:61:02,000' is not a cue time"),
        ("1\n00:00:05,000 --> 00:00:04,000\nbackwards\n",
         "subs.srt line 2: '00:00:05,000 --> 00:00:04,000': the cue ends before it starts"),
        ("1\n00:00:05,000 --> 00:00:05,000\nzero\n",
         "subs.srt line 2: '00:00:05,000 --> 00:00:05,000': the cue ends when it starts"),
        ("Just some prose.\nNot captions at all.\n", "subs.srt line 1: 'Just some prose.' is not a cue time"),
        ("1\n2\n3\n", "subs.srt line 2: '2' is not a cue time"),
        ("", "subs.srt: no captions found"),
        ("\n\n  \n", "subs.srt: no captions found"),
        ("1\n00:00:01,000 --> 00:00:02,000\n\n", "subs.srt: no captions found"),
        ("1\n00:00:01,000 --> 00:00:02,000\nx\x00y\n", "subs.srt: holds NUL bytes; binary data, not a caption file"),
    ],
)
def test_srt_errors_are_one_line_naming_file_and_line(text: str, expected: str) -> None:
    with pytest.raises(CaptionError) as excinfo:
        parse_srt(text, source="subs.srt")
    assert one_line_error(excinfo) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WEBVTT\n\nid\n00:01.000 -> 00:02.000\nx\n", "subs.vtt line 4: '00:01.000 -> 00:02.000' is not a cue time"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:03 --> soon\n",
         "subs.vtt line 5: '00:03 --> soon' is not a cue time"),
        ("WEBVTT\n\nstray words\n", "subs.vtt line 3: 'stray words' is not a cue time"),
        ("WEBVTT\n\nNOTE only a note\n", "subs.vtt: no captions found"),
        ("WEBVTT\n\n00:02.000 --> 00:01.000\nx\n",
         "subs.vtt line 3: '00:02.000 --> 00:01.000': the cue ends before it starts"),
    ],
)
def test_vtt_errors_are_one_line_naming_file_and_line(text: str, expected: str) -> None:
    with pytest.raises(CaptionError) as excinfo:
        parse_vtt(text, source="subs.vtt")
    assert one_line_error(excinfo) == expected


def test_caption_error_is_a_value_error() -> None:
    assert issubclass(CaptionError, ValueError)


def test_a_line_with_control_characters_is_quoted_on_one_line() -> None:
    with pytest.raises(CaptionError) as excinfo:
        parse_srt("bad\u2028line\x85here\n", source="odd\nname.srt")
    message = one_line_error(excinfo)
    assert "\u2028" not in message and "\x85" not in message
    assert message.startswith("odd\\nname.srt line 1: ")


def test_too_many_cues_is_refused_with_its_line() -> None:
    text = "".join(f"00:00:{i % 60:02d},000 --> 00:00:{i % 60:02d},500\nx\n\n" for i in range(MAX_CUES + 1))
    with pytest.raises(CaptionError) as excinfo:
        parse_srt(text, source="huge.srt")
    assert one_line_error(excinfo) == f"huge.srt line {3 * MAX_CUES + 1}: more than {MAX_CUES} cues; not a caption " \
        "file this editor will read"


# --- files ----------------------------------------------------------------------------------------------------


def test_read_srt_file_utf8_without_and_with_bom(tmp_path: Path) -> None:
    plain, bom = tmp_path / "plain.srt", tmp_path / "bom.srt"
    plain.write_bytes(SAMPLE_SRT.encode("utf-8"))
    bom.write_bytes(b"\xef\xbb\xbf" + SAMPLE_SRT.replace("\n", "\r\n").encode("utf-8"))
    assert read_captions(plain) == SAMPLE_CUES
    assert read_captions(bom) == SAMPLE_CUES


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_read_utf16_and_utf32_with_bom(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wide.srt"
    text = SAMPLE_SRT.replace("Hello there.", "Héllo — 字幕 \U0001f600")
    # Python's "utf-16"/"utf-32" codecs write a byte-order mark; the explicit-endian ones need it added.
    path.write_bytes((text if encoding in ("utf-16", "utf-32") else "\ufeff" + text).encode(encoding))
    assert read_captions(path)[0].text == "Héllo — 字幕 \U0001f600"


def test_read_cp1252_fallback_for_old_srt(tmp_path: Path) -> None:
    path = tmp_path / "old.srt"
    path.write_bytes("1\r\n00:00:01,000 --> 00:00:02,000\r\nCafé “quoted” – 5€\r\n".encode("cp1252"))
    assert read_captions(path) == [Cue(F(1), F(2), "Café “quoted” – 5€")]


def test_read_latin1_bytes_cp1252_leaves_undefined(tmp_path: Path) -> None:
    path = tmp_path / "odd.srt"
    path.write_bytes(b"1\n00:00:01,000 --> 00:00:02,000\nx\x81y\n")
    assert read_captions(path) == [Cue(F(1), F(2), "x\x81y")]


def test_read_vtt_by_extension_and_by_sniffing_the_header(tmp_path: Path) -> None:
    vtt, misnamed = tmp_path / "a.vtt", tmp_path / "b.srt"
    vtt.write_text(SAMPLE_VTT, encoding="utf-8")
    misnamed.write_bytes(SAMPLE_VTT.replace("\n", "\r").encode("utf-8"))
    assert read_captions(vtt) == SAMPLE_CUES
    assert read_captions(misnamed) == SAMPLE_CUES


def test_srt_named_vtt_is_refused_for_its_missing_header(tmp_path: Path) -> None:
    path = tmp_path / "subs.vtt"
    path.write_text(SAMPLE_SRT, encoding="utf-8")
    with pytest.raises(CaptionError) as excinfo:
        read_captions(path)
    assert one_line_error(excinfo) == "subs.vtt line 1: '1' is not a WEBVTT header"


def test_file_errors_name_the_file_with_the_os_reason(tmp_path: Path) -> None:
    with pytest.raises(CaptionError) as excinfo:
        read_captions(tmp_path / "missing.srt")
    assert one_line_error(excinfo) == "missing.srt: No such file or directory"
    folder = tmp_path / "folder.srt"
    folder.mkdir()
    with pytest.raises(CaptionError) as excinfo:
        read_captions(folder)
    assert one_line_error(excinfo) == "folder.srt: is a folder, not a caption file"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_gives_the_os_reason(tmp_path: Path) -> None:
    path = tmp_path / "locked.srt"
    path.write_text(SAMPLE_SRT, encoding="utf-8")
    path.chmod(0)
    with pytest.raises(CaptionError) as excinfo:
        read_captions(path)
    assert one_line_error(excinfo) == "locked.srt: Permission denied"


def test_binary_junk_and_bomless_utf16_are_refused(tmp_path: Path) -> None:
    junk, wide = tmp_path / "junk.srt", tmp_path / "wide.srt"
    junk.write_bytes(bytes(range(256)) * 4)
    wide.write_bytes(SAMPLE_SRT.encode("utf-16-le"))
    for path in (junk, wide):
        with pytest.raises(CaptionError) as excinfo:
            read_captions(path)
        assert one_line_error(excinfo) == \
            f"{path.name}: holds NUL bytes; binary data (or UTF-16 without a byte-order mark)"


def test_broken_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.srt"
    path.write_bytes(b"\xff\xfe" + "1\n".encode("utf-16-le") + b"\x00\xd8\x41")  # a lone surrogate, odd length
    with pytest.raises(CaptionError) as excinfo:
        read_captions(path)
    assert one_line_error(excinfo).startswith("broken.srt: not valid UTF-16-LE text (byte ")


def test_files_over_the_size_limit_are_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.srt"
    with path.open("wb") as out:
        out.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(CaptionError) as excinfo:
        read_captions(path)
    assert one_line_error(excinfo) == "big.srt: 21.0 MB is over the 20 MB limit for caption files"


# --- writing --------------------------------------------------------------------------------------------------


def test_format_srt_numbers_cues_sorts_and_rounds_half_up_to_milliseconds() -> None:
    cues = [Cue(F(3), F(4), "second"), Cue(F(1, 3), F(1, 2000) + 1, "first\nline two")]
    assert format_srt(cues) == (
        "1\n00:00:00,333 --> 00:00:01,001\nfirst\nline two\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nsecond\n"
    )


def test_format_srt_hours_beyond_99() -> None:
    assert format_srt([Cue(F(100 * 3600), F(100 * 3600 + 1), "x")]).split("\n")[1] == \
        "100:00:00,000 --> 100:00:01,000"


def test_blank_lines_inside_a_cue_do_not_break_the_file() -> None:
    cues = [Cue(F(1), F(2), "one\n\n  \r\ntwo\r\n"), Cue(F(3), F(4), "three")]
    assert format_srt(cues) == "1\n00:00:01,000 --> 00:00:02,000\none\ntwo\n\n2\n00:00:03,000 --> 00:00:04,000\nthree\n"
    assert parse_srt(format_srt(cues)) == [Cue(F(1), F(2), "one\ntwo"), Cue(F(3), F(4), "three")]
    assert parse_vtt(format_vtt(cues)) == [Cue(F(1), F(2), "one\ntwo"), Cue(F(3), F(4), "three")]


def test_format_vtt_escapes_markup_so_text_comes_back_literally() -> None:
    cues = [Cue(F(1), F(2), "a <b> & c --> d &amp;")]
    written = format_vtt(cues)
    assert written == "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\na &lt;b&gt; &amp; c --&gt; d &amp;amp;\n"
    assert parse_vtt(written) == cues


def test_writer_refuses_what_it_cannot_write() -> None:
    with pytest.raises(CaptionError, match=r"^cue 1: ends at or before its start at millisecond precision$"):
        format_srt([Cue(F(1), F(1) + F(1, 10_000), "too short")])
    with pytest.raises(CaptionError, match=r"^cue 1: starts before zero"):
        format_vtt([Cue(F(-1), F(1), "negative")])
    with pytest.raises(CaptionError, match=r"would read as a cue time in SRT$"):
        format_srt([Cue(F(1), F(2), "00:00:01,000 --> 00:00:02,000")])


def test_cues_without_text_are_not_written() -> None:
    assert format_srt([Cue(F(1), F(2), " \n "), Cue(F(3), F(4), "x")]) == "1\n00:00:03,000 --> 00:00:04,000\nx\n"


def test_write_srt_and_vtt_atomically_utf8_no_bom_lf(tmp_path: Path) -> None:
    srt, vtt = tmp_path / "out.srt", tmp_path / "out.vtt"
    srt.write_text("old contents", encoding="utf-8")
    cues = [Cue(F(1), F(2), "Ça va? \U0001f600"), Cue(F(2), F(3), "مرحبا")]
    write_srt(cues, srt)
    write_vtt(cues, vtt)
    for path in (srt, vtt):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        assert read_captions(path) == cues
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.srt", "out.vtt"]  # no temporary file left


def test_write_into_a_missing_folder_is_a_caption_error(tmp_path: Path) -> None:
    with pytest.raises(CaptionError) as excinfo:
        write_srt(SAMPLE_CUES, tmp_path / "nowhere" / "out.srt")
    assert one_line_error(excinfo) == "out.srt: No such file or directory"


# --- round trips and fuzzing ----------------------------------------------------------------------------------

_LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<>{}&"),
    min_size=1,
    max_size=30,
).map(lambda s: s.strip(" \t")).filter(bool)
_TEXT = st.lists(_LINE, min_size=1, max_size=3).map("\n".join)


@st.composite
def _cues(draw: st.DrawFn) -> list[Cue]:
    count = draw(st.integers(1, 8))
    cues = []
    for _ in range(count):
        start = draw(st.integers(0, 400 * 3_600_000))
        length = draw(st.integers(1, 20_000))
        cues.append(Cue(ms(start), ms(start + length), draw(_TEXT)))
    return sorted(cues, key=lambda cue: cue.start)


@given(_cues())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip_parse_of_format_is_identity_at_ms_precision(cues: list[Cue]) -> None:
    assume(not any(re.fullmatch(r"[0-9:,. \t-]*-->.*", line) for cue in cues for line in cue.text.split("\n")))
    assert parse_srt(format_srt(cues)) == cues
    assert parse_vtt(format_vtt(cues)) == cues


@given(st.lists(st.text(max_size=8), max_size=3).map("\n".join))
@settings(max_examples=200)
def test_round_trip_vtt_keeps_markup_characters_literally(text: str) -> None:
    cues = [Cue(F(1), F(2), text)]
    normalised = "\n".join(line.strip(" \t") for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                           if line.strip(" \t"))
    assume(normalised and "\x00" not in normalised)
    assert parse_vtt(format_vtt(cues)) == [Cue(F(1), F(2), normalised)]


_JUNK = st.text(alphabet=st.sampled_from(list("0123456789:,.->< \t\n\r\x00abWEBVTNOi/{}\\&;#x")) | st.characters(),
                max_size=200)


@given(_JUNK)
@settings(max_examples=500)
def test_arbitrary_text_raises_nothing_but_caption_error(text: str) -> None:
    cue = "00:00:01,000 --> 00:00:02,000\n"
    prefixes = [(parse_srt, ""), (parse_vtt, ""), (parse_vtt, "WEBVTT\n\n"), (parse_srt, cue),
                (parse_vtt, f"WEBVTT\n{cue}")]
    for parse, prefix in prefixes:
        try:
            cues = parse(prefix + text, source="fuzz")
        except CaptionError as error:
            assert "\n" not in str(error) and "\r" not in str(error)
        else:
            assert cues and all(cue.end > cue.start and cue.text for cue in cues)


@given(st.binary(max_size=300))
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_arbitrary_bytes_raise_nothing_but_caption_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.srt"
    path.write_bytes(data)
    try:
        read_captions(path)
    except CaptionError as error:
        assert "\n" not in str(error)


# --- one track ------------------------------------------------------------------------------------------------


def test_non_overlapping_trims_each_cue_to_where_the_next_starts() -> None:
    cues = [Cue(F(5), F(7), "c"), Cue(F(0), F(3), "a"), Cue(F(2), F(6), "b"), Cue(F(8), F(9), "d")]
    assert non_overlapping(cues) == [Cue(F(0), F(2), "a"), Cue(F(2), F(5), "b"), Cue(F(5), F(7), "c"),
                                     Cue(F(8), F(9), "d")]


def test_non_overlapping_merges_cues_that_start_together() -> None:
    cues = [Cue(F(1), F(2), "Speaker one"), Cue(F(1), F(3), "Speaker two"), Cue(F(2), F(4), "next")]
    assert non_overlapping(cues) == [Cue(F(1), F(2), "Speaker one\nSpeaker two"), Cue(F(2), F(4), "next")]


@given(_cues())
def test_non_overlapping_result_fits_one_track(cues: list[Cue]) -> None:
    result = non_overlapping(cues)
    assert all(cue.end > cue.start for cue in result)
    assert all(a.end <= b.start for a, b in zip(result, result[1:], strict=False))


def test_parsed_overlapping_file_to_one_track() -> None:
    text = "1\n00:00:01,000 --> 00:00:04,000\nfirst\n\n2\n00:00:03,000 --> 00:00:05,000\nsecond\n"
    assert non_overlapping(parse_srt(text)) == [Cue(F(1), F(3), "first"), Cue(F(3), F(5), "second")]


# --- frames ---------------------------------------------------------------------------------------------------


def test_cues_to_frames_at_30_fps_rounds_half_up_and_keeps_one_frame() -> None:
    cues = [
        Cue(F(1), F(2), "whole seconds"),
        Cue(ms(1050), ms(1983), "half a frame rounds up"),  # 31.5 -> 32, 59.49 -> 59
        Cue(ms(1016), ms(1017), "shorter than a frame"),  # 30.48 -> 30, 30.51 -> 31
        Cue(ms(2000), ms(2010), "rounds to nothing"),  # 60 -> 60, 60.3 -> 60, kept one frame
    ]
    assert cues_to_frames(cues, F(30)) == [
        (30, 60, "whole seconds"),
        (32, 59, "half a frame rounds up"),
        (30, 31, "shorter than a frame"),
        (60, 61, "rounds to nothing"),
    ]


def test_cues_to_frames_at_ntsc_rate_is_exact() -> None:
    rate = F(30000, 1001)
    # 1001/60000 s is exactly half a frame: rounds up to 1; 1.001 s is exactly frame 30.
    cues = [Cue(F(1001, 60000), ms(1001), "a"), Cue(F(3600), F(3601), "an hour in")]
    assert cues_to_frames(cues, rate) == [(1, 30, "a"), (107892, 107922, "an hour in")]
    # 3600 s * 30000/1001 = 107892.107..., 3601 s -> 107922.08...


@pytest.mark.parametrize("rate", [F(30), F(30000, 1001), F(24000, 1001), F(25), 60])
def test_frames_to_cue_is_the_exact_inverse(rate: Fraction | int) -> None:
    for start, end in [(0, 1), (29, 30), (1798, 1800), (107891, 107892 + 9000)]:
        cue = frames_to_cue(start, end, rate, "t")
        assert cue.start * rate == start and cue.end * rate == end
        assert cues_to_frames([cue], rate) == [(start, end, "t")]


def test_frames_through_a_file_at_ntsc_rate() -> None:
    rate = F(30000, 1001)
    cues = [frames_to_cue(s, s + 45, rate, f"cue {s}") for s in range(0, 100_000, 997)]
    back = cues_to_frames(parse_srt(format_srt(cues)), rate)
    assert back == [(s, s + 45, f"cue {s}") for s in range(0, 100_000, 997)]


def test_frame_conversion_refuses_bad_rates_and_empty_ranges() -> None:
    with pytest.raises(ValueError, match="frame rate must be positive"):
        cues_to_frames(SAMPLE_CUES, 0)
    with pytest.raises(ValueError, match="at least one frame"):
        frames_to_cue(5, 5, F(30), "x")
