"""A 20 s generated shot, through the shot queue, a real generator client and worker and the tiny LTX model: one
clip, one take, 20 s long, made in chained windows (the registry's tiny-ltx chains 97-frame windows: 6 of them)."""

from __future__ import annotations

import json
import time
from fractions import Fraction
from pathlib import Path

import pytest

from editor.generate.places import places_for
from editor.generate.shots import ShotOptions, ShotQueue
from editor.media.probe import probe
from editor.model import EditError, GeneratedClip, History, Settings, Timeline
from generation.client import GeneratorClient

SQUARE = Settings(width=64, height=64, fps=Fraction(24))  # tiny-ltx's 64x64 native size, its own 24 fps


@pytest.mark.slow
def test_a_20_s_shot_is_one_clip_with_one_20_s_take(tmp_path):
    places = places_for(tmp_path / "cut.promptcut").make()
    tl = Timeline.empty(SQUARE)
    history = History(tl)

    def do(command) -> bool:
        try:
            history.do(command)
        except EditError:
            return False
        tl.check()
        return True

    queue = ShotQueue(
        timeline=lambda: tl,
        do=do,
        places=places,
        client_factory=lambda: GeneratorClient(places.store_path, places.output_dir),
        default_model=lambda: "tiny-ltx",
    )
    try:
        clip = queue.create(
            tl.video_tracks[0].id,
            0,
            20 * 24,
            ShotOptions("a kite over the sea", model="tiny-ltx", continue_previous=False, land_on_next=False),
        )
        assert clip is not None, queue.notices
        deadline = time.monotonic() + 900
        while queue.status_by_id(clip.id).state != "ready":
            status = queue.status_by_id(clip.id)
            assert status.state in ("queued", "generating"), status
            assert time.monotonic() < deadline, "timed out waiting for the generator"
            queue.poll()
            time.sleep(0.1)
        clips = [c for _, c in tl.clips() if isinstance(c, GeneratedClip)]
        assert len(clips) == 1  # one clip...
        g = clips[0]
        assert len(g.takes) == 1 and not g.pending  # ...with one take
        assert (g.start, g.duration) == (0, 480)
        path = Path(tl.media[g.media_id()].path)
        info = probe(path, cache=False, disk_cache=False)
        assert info.duration is not None and info.duration >= 20  # 481 frames at 24 fps
        assert info.fps == 24 and info.frame_count == 481
        sidecar = json.loads(path.with_suffix(".json").read_text())
        assert sidecar["windows"] == 6 and sidecar["spec"]["num_frames"] == 481
    finally:
        queue.close()
