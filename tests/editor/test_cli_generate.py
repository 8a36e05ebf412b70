"""The generation commands, run as a user runs them: separate processes, real worker processes, tiny models.

``promptcut generate``, ``fill``, ``export --generate`` and ``models``. Every run is hermetic: models, caches
and the Hugging Face cache live in a session temp folder and the hub is unreachable.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from cli_checks import one_line_error
from cli_checks import run_cli as promptcut

from editor.media import synth

RATE = 30


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli-generate-env")
    values = {**os.environ, "PYTHONUNBUFFERED": "1"}
    values.pop("PROMPTCUT_DEBUG", None)
    values.update({
        "PROMPTCUT_MODELS": str(root / "models"),
        "XDG_CACHE_HOME": str(root / "xdg-cache"),
        "HF_HUB_CACHE": str(root / "hf-cache"),
        "HF_HUB_OFFLINE": "1",
        "PROMPTCUT_DEVICE": "cpu",
    })
    return values


def frames_of(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.fixture(scope="module")
def colours(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli-generate-media")
    return {name: synth.color_clip(d / f"{name}.mp4", name, 1.0, size=(180, 320), tone_hz=None)
            for name in ("red", "blue")}


def _range(frames: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE), otio.opentime.RationalTime(frames, RATE))


def sandwich_otio(folder: Path, colours: dict[str, Path], *, generated: int = 20, name: str = "sandwich") -> Path:
    """An .otio as another tool writes it: red 15 frames, a text_to_video generator, blue 15 frames."""
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Clip(name="red", source_range=_range(15),
                                  media_reference=otio.schema.ExternalReference(target_url=colours["red"].as_uri())))
    track.append(otio.schema.Clip(name="kite", source_range=_range(generated),
                                  media_reference=otio.schema.GeneratorReference(
                                      generator_kind="text_to_video",
                                      parameters={"prompt": "a kite over the sea", "seed": 11})))
    track.append(otio.schema.Clip(name="blue", source_range=_range(15),
                                  media_reference=otio.schema.ExternalReference(target_url=colours["blue"].as_uri())))
    timeline = otio.schema.Timeline(name=name)
    timeline.tracks.append(track)
    path = folder / f"{name}.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path


def mean_rgb(frame: np.ndarray) -> tuple[float, float, float]:
    return tuple(float(frame[..., i].mean()) for i in range(3))


def is_red(frame: np.ndarray) -> bool:
    r, g, b = mean_rgb(frame)
    return r > 200 and g < 60 and b < 60


def is_blue(frame: np.ndarray) -> bool:
    r, g, b = mean_rgb(frame)
    return b > 200 and r < 60 and g < 60


# -- models ---------------------------------------------------------------------------------------------------------


def test_help_lists_the_generation_commands(env):
    done = promptcut(env, "--help")
    for command in ("generate", "fill", "models"):
        assert command in done.stdout


def test_startup_still_imports_nothing_heavy():
    code = ("import sys, editor.cli; editor.cli._parser(); heavy = {'av', 'numpy', 'opentimelineio', 'torch', "
            "'diffusers', 'PySide6', 'generation.client'} & set(sys.modules); print(sorted(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_models_list_shows_every_model_with_state_and_size(env):
    done = promptcut(env, "models", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    wan = next(line for line in lines if line.startswith("wan2.1-t2v-1.3b "))
    assert "not installed" in wan and "GB download" in wan
    tiny = next(line for line in lines if line.startswith("tiny-wan "))
    assert "[test model]" in tiny
    for model_id in ("tiny-ltx", "ltx-video-0.9.5", "cogvideox-2b", "wan2.2-ti2v-5b"):
        assert any(line.startswith(model_id + " ") for line in lines)
    rows = {row["id"]: row for row in json.loads(promptcut(env, "models", "list", "--json").stdout)}
    assert rows["tiny-wan"]["is_test_model"] and not rows["wan2.1-t2v-1.3b"]["is_test_model"]
    assert rows["wan2.1-t2v-1.3b"]["installed"] is False and rows["wan2.1-t2v-1.3b"]["download_gb"] > 1


def test_models_path_of_a_missing_model_says_how_to_get_it(env):
    line = one_line_error(promptcut(env, "models", "path", "wan2.1-t2v-1.3b"), None, "not installed")
    assert "promptcut models download wan2.1-t2v-1.3b" in line


def test_models_path_of_a_test_model_builds_it(env):
    done = promptcut(env, "models", "path", "tiny-wan")
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder.parent == Path(env["PROMPTCUT_MODELS"]) and (folder / "model_index.json").is_file()
    listed = promptcut(env, "models", "list").stdout.splitlines()
    assert "built" in next(line for line in listed if line.startswith("tiny-wan "))


def test_models_download_without_a_network_is_one_clear_line(env):
    offline = one_line_error(promptcut(env, "models", "download", "wan2.1-t2v-1.3b"), None, "HF_HUB_OFFLINE")
    assert "wan2.1-t2v-1.3b" in offline
    # hub look-ups allowed, but nothing answers (as on a machine without a network)
    done = promptcut(env, "models", "download", "wan2.1-t2v-1.3b", HF_HUB_OFFLINE="0", HF_ENDPOINT="http://127.0.0.1:9")
    line = one_line_error(done, None, "no connection to the Hugging Face hub")
    assert "Wan-AI/Wan2.1-T2V-1.3B-Diffusers" in line
    assert not any(Path(env["PROMPTCUT_MODELS"], "wan2.1-t2v-1.3b").glob("**/*.safetensors"))


def test_unknown_model_is_one_line(env, tmp_path):
    for args in (("models", "path", "wan9"), ("models", "download", "wan9"),
                 ("generate", "x", "-o", str(tmp_path / "x.mp4"), "--model", "wan9")):
        one_line_error(promptcut(env, *args), None, "unknown model 'wan9'")


def test_without_a_real_model_the_default_says_what_to_do(env, tmp_path):
    line = one_line_error(promptcut(env, "generate", "a kite", "-o", str(tmp_path / "x.mp4")), None)
    assert "no video model is installed" in line
    assert "promptcut models download wan2.1-t2v-1.3b" in line and "--model tiny-wan" in line


# -- export refuses pending segments ----------------------------------------------------------------------------------


def test_export_without_generate_lists_the_pending_segments_in_one_line(env, tmp_path, colours):
    source = sandwich_otio(tmp_path, colours)
    out = tmp_path / "out.mp4"
    line = one_line_error(promptcut(env, "export", str(source), "-o", str(out), "--size", "180x320"), None,
                                 "1 generated segment has no take yet", "'kite' at 00:00:00:15",
                                 "--generate")
    assert line.startswith("promptcut: error:")
    assert not out.exists()


def test_fill_argument_mistakes_are_one_line(env, tmp_path, colours):
    source = sandwich_otio(tmp_path, colours)
    one_line_error(promptcut(env, "fill", str(source), "--gaps"), None, "--prompt")
    one_line_error(promptcut(env, "fill", str(source), "--prompt", "x"), None, "--gaps")
    one_line_error(promptcut(env, "fill", str(tmp_path / "nope.otio")), None, "no such file")


@pytest.mark.parametrize("args", [("--seconds", "0"), ("--seed", "-1"), ("--steps", "0"), ("--size", "64by64"),
                                  ("--image", "/no/such.png")])
def test_generate_argument_mistakes_are_one_line(env, tmp_path, args):
    done = promptcut(env, "generate", "x", "-o", str(tmp_path / "x.mp4"), "--model", "tiny-wan", *args)
    one_line_error(done, None)
    assert not (tmp_path / "x.mp4").exists()


def test_a_model_that_cannot_make_the_shot_is_one_line(env, tmp_path):
    line = one_line_error(promptcut(env, "generate", "x", "-o", str(tmp_path / "x.mp4"),
                                           "--model", "tiny-wan-flf"), None, "cannot generate from text alone")
    assert "tiny-wan-flf" in line
    one_line_error(promptcut(env, "generate", "x", "-o", str(tmp_path / "y.mp4"), "--model",
                                    "cogvideox-2b"), None, "not installed")


# -- generating with the tiny model through the real worker ----------------------------------------------------------


def test_generate_writes_a_decodable_mp4_of_the_right_frame_count(env, tmp_path):
    out = tmp_path / "fox.mp4"
    done = promptcut(env, "generate", "a red fox in snow", "-o", str(out), "--model", "tiny-wan", "--seconds", "1",
                     "--seed", "5")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "generating" in done.stderr and "100%" in done.stderr
    assert "seed 5" in done.stdout and "tiny-wan" in done.stdout
    frames = frames_of(out)
    assert len(frames) == 25   # 1 s at 24 fps -> 24 frames -> 25 (4k+1)
    assert frames[0].shape == (128, 64, 3)   # portrait by default
    assert np.std(frames[0]) > 1   # noise, not a blank
    # the same request again is answered from the cache: the same bytes
    again = tmp_path / "fox again.mp4"
    assert promptcut(env, "generate", "a red fox in snow", "-o", str(again), "--model", "tiny-wan", "--seconds",
                     "1", "--seed", "5", "-q").returncode == 0
    assert again.read_bytes() == out.read_bytes()
    # an existing output needs -y
    one_line_error(promptcut(env, "generate", "x", "-o", str(out), "--model", "tiny-wan"), None, "-y")


def test_generate_with_size_and_a_first_image(env, tmp_path):
    image = synth.still(tmp_path / "start.png", "red", size=(200, 100))
    out = tmp_path / "wide.mp4"
    done = promptcut(env, "generate", "a red kite", "-o", str(out), "--model", "tiny-wan", "--size", "128x64",
                     "--image", str(image), "--last-image", str(image), "--steps", "1", "--seed", "2", "-q")
    assert done.returncode == 0, done.stderr
    assert "note: the next clip's first frame is not used" in done.stderr   # tiny-wan cannot end on a frame
    frames = frames_of(out)
    assert len(frames) == 9 and frames[0].shape == (64, 128, 3)


def test_fill_saves_the_otio_with_the_takes_attached(env, tmp_path, colours):
    from editor.interchange.otio import read_otio

    source = sandwich_otio(tmp_path, colours)
    filled = tmp_path / "filled.otio"
    done = promptcut(env, "fill", str(source), "-o", str(filled), "--model", "tiny-wan", "-q")
    assert done.returncode == 0, done.stderr
    assert "generated 1 shot" in done.stdout
    timeline = read_otio(filled).timeline
    (g,) = [c for _, c in timeline.clips() if hasattr(c, "takes")]
    assert not g.pending and g.spec.model == "tiny-wan" and g.spec.seed == 11
    take = timeline.media[g.media_id()]
    assert Path(take.path).is_file() and tmp_path / "filled.media" / "generated" in Path(take.path).parents
    # the input was left alone; filling the filled file again has nothing to do
    assert "take" not in source.read_text()
    again = promptcut(env, "fill", str(filled), "--model", "tiny-wan", "-q")
    assert again.returncode == 0 and "generated 0 shots" in again.stdout


def test_fill_gaps_with_a_prompt(env, tmp_path, colours):
    from editor.interchange.otio import read_otio

    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Clip(name="red", source_range=_range(15),
                                  media_reference=otio.schema.ExternalReference(target_url=colours["red"].as_uri())))
    track.append(otio.schema.Gap(duration=otio.opentime.RationalTime(10, RATE)))
    track.append(otio.schema.Clip(name="blue", source_range=_range(15),
                                  media_reference=otio.schema.ExternalReference(target_url=colours["blue"].as_uri())))
    timeline = otio.schema.Timeline()
    timeline.tracks.append(track)
    source = tmp_path / "gappy.otio"
    otio.adapters.write_to_file(timeline, str(source))
    done = promptcut(env, "fill", str(source), "--gaps", "--prompt", "fog over water", "--model", "tiny-wan", "-q")
    assert done.returncode == 0, done.stderr
    clips = [(c.start, c.end, getattr(c, "spec", None)) for _, c in read_otio(source).timeline.clips()]
    assert [(a, b) for a, b, _ in clips] == [(0, 15), (15, 25), (25, 40)]
    assert clips[1][2].prompt == "fog over water"


def test_export_generate_fills_then_renders_generated_frames_between_the_clips(env, tmp_path, colours):
    source = sandwich_otio(tmp_path, colours)
    out = tmp_path / "final.mp4"
    done = promptcut(env, "export", str(source), "-o", str(out), "--generate", "--model", "tiny-wan",
                     "--size", "180x320", "--fps", "30")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    frames = frames_of(out)
    assert len(frames) == 50   # 15 red + 20 generated + 15 blue
    assert all(is_red(f) for f in frames[:15])
    assert all(is_blue(f) for f in frames[35:])
    for f in frames[15:35]:   # the generated shot: neither neighbour, not black, not one flat colour
        assert not is_red(f) and not is_blue(f)
        assert max(mean_rgb(f)) > 20 and float(f.std()) > 5
    # the takes were saved beside the input, so the next export needs no --generate
    again = tmp_path / "again.mp4"
    done = promptcut(env, "export", str(source), "-o", str(again), "--size", "180x320", "--fps", "30", "-q")
    assert done.returncode == 0, done.stderr
    assert len(frames_of(again)) == 50


def test_ctrl_c_during_generate_cancels_the_job_and_writes_nothing(env, tmp_path):
    from generation.jobs import JobStore

    out = tmp_path / "never.mp4"
    # A terminal's Ctrl+C reaches the whole foreground process group: the worker ignores it, the client cancels.
    proc = subprocess.Popen([sys.executable, "-m", "editor.cli", "generate", "a slow shot", "-o", str(out),
                             "--model", "tiny-wan", "--steps", "400", "--seconds", "2", "--seed", "99"],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    assert proc.stderr is not None
    seen = proc.stderr.readline()
    assert "generating" in seen, seen
    time.sleep(3.0)
    os.killpg(proc.pid, signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    assert proc.returncode == 130, seen + rest
    assert "Traceback" not in rest and "generation cancelled" in rest
    assert not out.exists() and list(tmp_path.iterdir()) == []
    store = JobStore(Path(env["XDG_CACHE_HOME"]) / "promptcut" / "generated" / "jobs.sqlite")
    try:
        (job,) = [j for j in store.list() if j.spec.prompt == "a slow shot"]
        assert job.state == "cancelled"
    finally:
        store.close()
