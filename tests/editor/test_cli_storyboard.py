"""``promptcut storyboard`` and ``promptcut export --generate`` on a storyboard, run as a user runs them:
separate processes, the real worker, tiny models (the basic voice, the tiny Wan twin) on the CPU.

Mistakes in what was asked for are one line and exit code 2, and nothing is written; a generation that fails
keeps the saved project with what was made.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import av
import pytest
from cli_checks import one_line_error, run_cli

from editor.documents import open_document
from editor.model import GeneratedClip

TINY = ("--model", "tiny-wan", "--voice", "espeak-ng:en-us", "--size", "64x128", "--fps", "24")
SCRIPT = "Mara walks to the lighthouse. | a rocky path at dusk\n[2s] The lamp still burns.\n"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli-storyboard-env")
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


def promptcut(env: dict[str, str], *args: str, timeout: float = 400) -> subprocess.CompletedProcess[str]:
    return run_cli(env, *args, timeout=timeout)


@pytest.fixture
def script(tmp_path) -> Path:
    path = tmp_path / "script.txt"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def test_help_lists_storyboard(env):
    done = promptcut(env, "--help")
    assert "storyboard" in done.stdout
    done = promptcut(env, "storyboard", "--help")
    for option in ("--model", "--voice", "--captions", "--style", "--seed", "--chain", "--size", "--generate"):
        assert option in done.stdout


@pytest.mark.parametrize(("args", "fragment"), [
    (("missing.txt",), "no such script: missing.txt"),
    (("{script}", "--model", "no-such-model"), "no-such-model"),
    (("{script}", "--model", "wan2.1-t2v-1.3b"), "not installed"),
    (("{script}", "--voice", "robot:beep"), "robot"),
    (("{script}", "--voice", "espeak-ng:xx-nowhere"), "xx-nowhere"),
    (("{script}", "--voice", "kokoro-82m:af_heart"), "not installed"),
    (("{script}", "--size", "huge"), "--size"),
    (("{script}", "--fps", "fast"), "--fps"),
    (("{script}", "--generate"), "no video model is installed"),
    (("{bad}",), "line 2"),
    (("{cast}",), "was not found"),
])
def test_mistakes_are_one_line_with_exit_code_2_and_write_nothing(env, tmp_path, script, args, fragment):
    bad = tmp_path / "bad.txt"
    bad.write_text("A first shot.\n[-3s] A length that cannot be.\n", encoding="utf-8")
    cast = tmp_path / "cast.txt"
    cast.write_text("@Ana: nowhere.png | a tall woman\nAna waves.\n", encoding="utf-8")
    names = {"script": str(script), "bad": str(bad), "cast": str(cast)}
    out = tmp_path / "film.promptcut"
    done = promptcut(env, "storyboard", *(a.format(**names) for a in args), "-o", str(out))
    one_line_error(done, 2, fragment)
    assert not out.exists() and not (tmp_path / "film.media").exists()


def test_an_existing_project_is_kept_without_y(env, tmp_path, script):
    out = tmp_path / "film.promptcut"
    out.write_text("{}", encoding="utf-8")
    one_line_error(promptcut(env, "storyboard", str(script), "-o", str(out)), 2, "exists")
    assert out.read_text(encoding="utf-8") == "{}"


def test_storyboard_then_export_generate_makes_the_video(env, tmp_path, script):
    project = tmp_path / "film.promptcut"
    done = promptcut(env, "storyboard", str(script), "-o", str(project), "--captions", *TINY)
    assert done.returncode == 0, done.stderr
    assert "2 shots" in done.stdout
    tl = open_document(project).timeline
    board = tl.story.storyboard
    assert board is not None and [s.narration for s in board.shots] == ["Mara walks to the lighthouse.",
                                                                         "The lamp still burns."]
    assert tl.track(board.caption_track).captions

    out = tmp_path / "out.mp4"
    refused = promptcut(env, "export", str(project), "-o", str(out))
    line = one_line_error(refused, 1, "no take yet", "--generate")
    assert "speech" in line and not out.exists()

    done = promptcut(env, "export", str(project), "--generate", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.is_file()
    tl = open_document(project).timeline   # the takes were saved in the project before exporting
    generated = [c for t in tl.tracks for c in t.clips if isinstance(c, GeneratedClip)]
    assert len(generated) == 4 and not any(c.pending for c in generated)
    with av.open(str(out)) as container:
        assert container.streams.video[0].frames == max(t.end for t in tl.video_tracks)
        assert container.streams.audio, "the narration is in the mix"


def test_storyboard_generate_keeps_the_project_when_shots_fail(env, tmp_path, script):
    # The first+last-frame twin cannot make a shot from text alone: the shots fail, the speech is kept.
    project = tmp_path / "film.promptcut"
    done = promptcut(env, "storyboard", str(script), "-o", str(project), "--generate", "--no-captions",
                     *TINY[2:], "--model", "tiny-wan-flf")
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr
    assert "2 failed" in done.stderr.splitlines()[-1]
    tl = open_document(project).timeline
    board = tl.story.storyboard
    assert board is not None and not board.caption_track
    speech = [c for c in tl.track(board.voice_track).clips if isinstance(c, GeneratedClip)]
    assert len(speech) == 2 and not any(c.pending for c in speech)
    assert all(c.pending for c in tl.track(board.track).clips)


def test_ctrl_c_while_the_shots_generate_keeps_the_project_with_its_narration(env, tmp_path):
    script = tmp_path / "long.txt"
    script.write_text("[6s] The sea is calm tonight.\n[6s] A boat drifts past the pier.\n", encoding="utf-8")
    project = tmp_path / "film.promptcut"
    # A terminal's Ctrl+C reaches the whole foreground process group: the worker ignores it, the client cancels.
    proc = subprocess.Popen([sys.executable, "-m", "editor.cli", "storyboard", str(script), "-o", str(project),
                             "--generate", *TINY], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    assert proc.stderr is not None
    seen = ""
    while "generating 2 shots" not in seen:
        line = proc.stderr.readline()
        assert line, seen
        seen += line
    os.killpg(proc.pid, signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    assert proc.returncode == 130, seen + rest
    assert "Traceback" not in rest and "generation cancelled; saved what was made" in rest
    tl = open_document(project).timeline
    board = tl.story.storyboard
    assert board is not None
    assert not any(c.pending for c in tl.track(board.voice_track).clips), "the narration made before is kept"
    assert all(c.pending for c in tl.track(board.track).clips)
