"""Fitting shots to their spoken narration: once a speech clip has its take (a real WAV, probed), a shot
without a fixed length lasts the speech and a breath (0.4 s, at least 1.5 s); the cards after it ripple."""

from __future__ import annotations

import pytest

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import Take
from editor.model.commands import AddMedia, AddTake, Group, History, TrimTail
from editor.model.testing import video
from editor.project.format import from_dict, to_dict
from editor.storyboard import fit_to_narration
from editor.storyboard.cards import cards

SPOKEN = {0: 1.0, 1: 2.5, 2: 1.5, 3: 3.0, 5: 2.0}   # card index -> seconds of speech (card 4 not spoken yet)


@pytest.fixture(scope="module")
def wavs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("speech")
    return {i: synth.tone(folder / f"line{i}.wav", 220 + 110 * i, seconds, sample_rate=48000)
            for i, seconds in SPOKEN.items()}


def attach(tl, card, path, media_id):
    """What the shot queue does when a line has been spoken: the WAV in the pool, the take on the clip (cut
    to the take when the clip was longer), one undo step."""
    media = media_source_from_info(probe(path), media_id)
    parts = [AddMedia(media)]
    frames = media.duration_frames(tl.fps)
    if card.speech.duration > frames:
        parts.append(TrimTail(card.speech.id, card.speech.start + frames))
    parts.append(AddTake(card.speech.id, Take(media_id, "hash")))
    Group("Attach speech", parts).apply(tl)
    tl.check()


@pytest.fixture
def spoken(built, wavs):
    tl = built(model="tiny-wan")
    for i, path in wavs.items():
        attach(tl, cards(tl)[i], path, f"speech{i}")
    return tl


def test_each_shot_lasts_its_speech_and_a_breath(spoken, exact):
    tl = spoken
    before = cards(tl)
    exact(tl, fit_to_narration(tl))
    after = cards(tl)
    for i, card in enumerate(after):
        if i == 2:
            assert card.duration == 120, "a fixed length stays"
        elif i in SPOKEN:
            spoken_frames = tl.media_frames(card.speech)
            assert spoken_frames == round(SPOKEN[i] * 30)
            assert card.duration == max(45, spoken_frames + 12)
            assert card.speech.duration == spoken_frames, "the whole line plays"
        else:
            assert card.duration == before[i].duration, "not spoken yet: the estimate stays"
    assert [c.duration for c in after[:2]] == [45, 87]   # 1 s of speech: at least 1.5 s; 2.5 s: + 0.4 s
    assert after[3].duration == 102
    starts = [0]
    for c in after[:-1]:
        starts.append(starts[-1] + c.duration)
    assert [c.start for c in after] == starts, "later shots ripple"
    for c in after:
        if c.speech is not None:
            assert c.speech.start == c.start and c.speech.end <= c.end
        assert (c.caption.start, c.caption.end) == (c.start, c.end), "captions span their shots"


def test_nothing_to_fit_gives_none(spoken, built):
    fit_to_narration(spoken).apply(spoken)
    assert fit_to_narration(spoken) is None
    assert fit_to_narration(built()) is None             # nothing spoken yet
    from editor.model.testing import timeline
    assert fit_to_narration(timeline(1, 1)) is None      # no storyboard


def test_a_video_take_too_short_for_the_fitted_shot_is_let_go(spoken):
    tl = spoken
    last = cards(tl)[5]
    tl.media["vt"] = video("vt", last.duration)
    AddTake(last.clip.id, Take("vt", "hash")).apply(tl)
    fit_to_narration(tl).apply(tl)
    tl.check()
    last = cards(tl)[5]
    assert last.duration == 72 and last.clip.pending and last.clip.spec.seed is None
    assert last.clip.takes == (Take("vt", "hash"),)       # kept, to pick again


def test_fitting_is_undone_in_one_step_and_saves(spoken, tmp_path):
    tl = spoken
    history = History(tl)
    state = tl.state()
    history.do(fit_to_narration(tl))
    fitted = tl.state()
    loaded = from_dict(to_dict(tl, base_dir=tmp_path), base_dir=tmp_path).timeline
    assert loaded.state() == fitted
    history.undo()
    assert tl.state() == state
