"""A take that brings its own sound (LTX-2 writes it into the take's MP4) arrives with a linked sound clip on an
audio track: heard once (the picture's own sound detached), exported in the mix, following the take."""

from __future__ import annotations

import time
from fractions import Fraction

import av
import numpy as np
import pytest
from shot_support import Doc as _Doc

from editor.generate.filling import fill
from editor.generate.places import places_for
from editor.generate.shot_jobs import Ticket
from editor.generate.takes import take_sound
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import GeneratedClip, GenerationSpec, History, MediaClip, Settings, Timeline
from editor.render import export, resolve_settings
from editor.render.plan import build_plan

SMALL = Settings(width=160, height=90, fps=Fraction(30))
SPEC = GenerationSpec("a bell rings", model="tiny-wan", seed=7, steps=2, width=160, height=96)


@pytest.fixture(scope="module")
def takes(tmp_path_factory) -> dict[str, object]:
    d = tmp_path_factory.mktemp("takes")
    return {"loud": synth.color_clip(d / "take-loud.mp4", "red", 1.0, size=(160, 90), tone_hz=440.0),
            "quiet": synth.color_clip(d / "take-quiet.mp4", "blue", 1.0, size=(160, 90), tone_hz=None),
            "loud2": synth.color_clip(d / "take-loud2.mp4", "green", 1.0, size=(160, 90), tone_hz=880.0)}



class Doc(_Doc):
    def __init__(self, tl, places) -> None:
        super().__init__(tl, places, client=False)

    def land(self, clip: GeneratedClip, output, *, extra: bool = False) -> None:
        """A finished job for ``clip`` (its ticket done, its output ``output``), then syncs until attached."""
        ticket = Ticket(f"job-{output.stem}", clip.id, clip.spec, 30, extra_take=extra, state="done",
                        output=str(output))
        self.queue.tickets[ticket.job_id] = ticket
        deadline = time.monotonic() + 30
        while clip.id not in ticket.attached:
            assert time.monotonic() < deadline, "the take was not attached"
            self.queue.sync()
            self.queue.poll()
            time.sleep(0.02)

def heard(tl: Timeline) -> list[tuple[str, str]]:
    """(track, media) of every sound the render plan plays."""
    plan = build_plan(tl, tl.fps, 48000, has_sound=lambda mid: tl.media[mid].has_audio)
    return sorted({(s.track, s.media_id) for seg in plan.segments for s in seg.sounds})


def rms(path, t0: float, t1: float) -> float:
    chunks, rate = [], 48000
    with av.open(str(path)) as c:
        for frame in c.decode(c.streams.audio[0]):
            rate = frame.sample_rate
            chunks.append(frame.to_ndarray().reshape(-1))
    samples = np.concatenate(chunks)   # planar stereo flattened per frame: level only, not timing within frames
    n = len(samples)
    seconds = n / (2 * rate)
    a, b = int(n * t0 / seconds), int(n * t1 / seconds)
    return float(np.sqrt(np.mean(samples[a:b] ** 2)))


def test_a_take_with_sound_arrives_with_a_linked_sound_clip_heard_once_and_exported(takes, tmp_path):
    tl = Timeline.empty(SMALL)
    tl.video_tracks[0].add(GeneratedClip("g", 15, 30, spec=SPEC))
    doc = Doc(tl, places_for(tmp_path / "cut.promptcut").make())
    try:
        doc.land(tl.find("g")[1], takes["loud"])
        g = tl.find("g")[1]
        assert not g.pending and g.sound_detached and g.link
        track_id, sound = take_sound(tl, g)
        assert track_id == tl.audio_tracks[0].id
        assert (sound.start, sound.duration, sound.source_in, sound.media) == (15, 30, 0, g.media_id())
        assert len(doc.history.undo_stack) == 1                     # take and sound: one undo step
        assert heard(tl) == [("a0", g.media_id())]                  # once, from the audio track
        out = export(tl, tmp_path / "out.mp4", resolve_settings(tl, loudness=None)).path
        assert rms(out, 0.1, 0.45) < 1e-3                           # before the shot: silence
        assert rms(out, 0.6, 1.4) > 0.03                            # the take's tone, in the mix
        doc.history.undo()
        assert tl.find("g")[1].pending and not tl.audio_tracks[0].clips and not tl.find("g")[1].sound_detached
    finally:
        doc.queue.close()


def test_the_sound_goes_on_a_new_audio_track_when_the_first_is_busy_and_follows_the_take(takes, tmp_path):
    tl = Timeline.empty(SMALL)
    tl.media["bed"] = media_source_from_info(probe(takes["loud2"]), "bed")
    tl.audio_tracks[0].add(MediaClip("music", 0, 30, media="bed"))
    tl.video_tracks[0].add(GeneratedClip("g", 15, 30, spec=SPEC))
    doc = Doc(tl, places_for(tmp_path / "cut.promptcut").make())
    try:
        doc.land(tl.find("g")[1], takes["loud"])
        assert len(tl.audio_tracks) == 2
        g = tl.find("g")[1]
        assert take_sound(tl, g)[0] == tl.audio_tracks[1].id
        # a silent second take: switching to it removes the sound clip, the picture is heard from itself again
        doc.land(g, takes["quiet"], extra=True)
        g = tl.find("g")[1]
        assert g.active_take == 1 and take_sound(tl, g) is None and not g.sound_detached
        assert all(m != g.takes[0].media_id for _, m in heard(tl))
        # back to the loud take: its sound comes back (one undo step)
        assert doc.queue.switch_take("g", 0)
        g = tl.find("g")[1]
        assert take_sound(tl, g)[1].media == g.takes[0].media_id and g.sound_detached
        doc.history.undo()
        assert take_sound(tl, tl.find("g")[1]) is None
    finally:
        doc.queue.close()


def test_a_take_with_sound_replaces_the_sound_of_the_previous_take(takes, tmp_path):
    tl = Timeline.empty(SMALL)
    tl.video_tracks[0].add(GeneratedClip("g", 0, 30, spec=SPEC))
    doc = Doc(tl, places_for(tmp_path / "cut.promptcut").make())
    try:
        doc.land(tl.find("g")[1], takes["loud"])
        first = take_sound(tl, tl.find("g")[1])[1]
        doc.land(tl.find("g")[1], takes["loud2"], extra=True)
        g = tl.find("g")[1]
        _, now = take_sound(tl, g)
        assert now.id == first.id and now.media == g.media_id()     # one sound clip, pointed at the new take
        assert sum(len(t.clips) for t in tl.audio_tracks) == 1
    finally:
        doc.queue.close()


class _DoneClient:
    """A generator client whose every job is done at once with a given file: the batch path's side of the
    contract, without a worker (the take's file stands for what an LTX-2 job writes)."""

    def __init__(self, output) -> None:
        self.output = output
        self.submitted: list[object] = []

    def submit(self, spec, *, no_cache=False, priority=0):
        from types import SimpleNamespace

        job = SimpleNamespace(id=f"j{len(self.submitted)}", state="done", output=str(self.output), message="")
        self.submitted.append(job)
        return job

    def events(self, timeout=None):
        return []

    def jobs(self):
        return list(self.submitted)

    def wait(self, job_id, timeout=None):
        return next(j for j in self.submitted if j.id == job_id)

    def cancel(self, job_id):
        pass


def test_the_batch_fill_attaches_the_take_with_its_linked_sound_in_one_undo_step(takes, tmp_path):
    tl = Timeline.empty(SMALL)
    tl.video_tracks[0].add(GeneratedClip("g", 0, 30, spec=SPEC))
    history = History(tl)
    client = _DoneClient(takes["loud"])
    result = fill(tl, client, places_for(tmp_path / "cut.promptcut"), history=history, conditioning=False,
                  timeout=30)
    assert result.ok and len(client.submitted) == 1, result.summary()
    g = tl.find("g")[1]
    assert g.sound_detached and take_sound(tl, g)[1].media == g.media_id()
    assert heard(tl) == [("a0", g.media_id())]
    assert len(history.undo_stack) == 1
    history.undo()
    assert not tl.audio_tracks[0].clips and tl.find("g")[1].pending


def test_a_tiny_ltx2_take_arrives_with_its_linked_sound_that_exports_in_the_mix(tmp_path):
    """End to end: the LTX-2 twin makes picture and sound through the worker; the take's sound is on an audio
    track, linked, heard once, and exported where the shot is."""
    from editor.generate.shots import ShotOptions
    from generation.client import GeneratorClient

    tl = Timeline.empty(SMALL)
    places = places_for(tmp_path / "cut.promptcut").make()
    doc = Doc(tl, places)
    doc.queue._client_factory = lambda: GeneratorClient(places.store_path, places.output_dir)
    try:
        clip = doc.queue.create(tl.video_tracks[0].id, 15, 20, ShotOptions("thunder over a lake", model="tiny-ltx2"))
        assert clip is not None, doc.queue.notices
        deadline = time.monotonic() + 300
        while tl.find(clip.id)[1].pending:
            assert time.monotonic() < deadline, "timed out waiting for the generator"
            doc.queue.poll()
            time.sleep(0.05)
        g = tl.find(clip.id)[1]
        take = tl.media[g.media_id()]
        assert take.has_audio and take.has_video
        _, sound = take_sound(tl, g)
        assert g.sound_detached and sound.link == g.link and (sound.start, sound.duration) == (15, 20)
        assert heard(tl) == [("a0", take.id)]
        own = rms(take.path, 0.05, 0.6)
        assert own > 1e-4                                            # the twin's sound is not silence
        out = export(tl, tmp_path / "out.mp4", resolve_settings(tl, loudness=None)).path
        assert rms(out, 0.05, 0.45) < 1e-4                           # before the shot: silence
        assert rms(out, 0.6, 1.1) == pytest.approx(own, rel=0.5)     # the take's sound, in the mix
    finally:
        doc.queue.close()
