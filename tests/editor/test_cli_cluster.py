"""``--cluster ADDRESS`` on ``promptcut generate``, ``fill``, ``export --generate`` and ``storyboard --generate``,
run as a user runs them (separate processes, hermetic folders).

An address that does not parse, ``--cluster`` on a command that generates nothing, and Ray not installed are one
line and exit code 2 before any work; a cluster that cannot be reached is one line and exit code 1. One run
starts a real local Ray with one worker and makes a tiny-model shot through it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import av
import pytest
from cli_checks import CLI, one_line_error, run_cli

from editor.cli_support import EXIT_ERROR, EXIT_USAGE

SCRIPT = "A kite over the dunes.\n"
TINY = ("--model", "tiny-wan", "--size", "64x64", "--steps", "2", "--seed", "7", "--seconds", "0.5")
# Nothing listens on the discard port: a Ray Client address that is refused at once.
UNREACHABLE = "ray://127.0.0.1:9"
# Run the command as if Ray were not installed: a None entry in sys.modules makes `import ray` fail.
NO_RAY = "import sys; sys.modules['ray'] = None; from editor.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli-cluster-env")
    values = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    for key in ("PROMPTCUT_DEBUG", "PROMPTCUT_RAY_ADDRESS", "RAY_ADDRESS"):
        values.pop(key, None)
    values.update({
        "PROMPTCUT_MODELS": str(root / "models"),
        "XDG_CACHE_HOME": str(root / "xdg-cache"),
        "XDG_CONFIG_HOME": str(root / "xdg-config"),
        "PROMPTCUT_LOG_DIR": str(root / "logs"),
        "HF_HUB_CACHE": str(root / "hf-cache"),
        "HF_HUB_OFFLINE": "1",
        "PROMPTCUT_DEVICE": "cpu",
    })
    return values


def promptcut(env: dict[str, str], *args: str, without_ray: bool = False, timeout: float = 300,
              **extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(env, *args, timeout=timeout, start=("-c", NO_RAY) if without_ray else CLI, **extra)


@pytest.fixture
def script(tmp_path) -> Path:
    path = tmp_path / "script.txt"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def board(env, tmp_path_factory) -> Path:
    """A storyboard project with one shot and its narration, nothing generated yet."""
    folder = tmp_path_factory.mktemp("cli-cluster-board")
    (folder / "script.txt").write_text(SCRIPT, encoding="utf-8")
    project = folder / "board.promptcut"
    done = promptcut(env, "storyboard", str(folder / "script.txt"), "-o", str(project), "--model", "tiny-wan",
                     "--size", "64x128", "--fps", "24", "--no-captions")
    assert done.returncode == 0, done.stderr
    return project


@pytest.mark.parametrize("address", ["gpu box", "local:0", "http://head:10001", ""])
def test_an_address_that_does_not_parse_is_a_usage_error(env, tmp_path, address):
    done = promptcut(env, "generate", "a kite", "-o", str(tmp_path / "shot.mp4"), "--cluster", address)
    line = one_line_error(done, EXIT_USAGE, "argument --cluster", repr(address))
    assert not (tmp_path / "shot.mp4").exists(), line


def test_cluster_without_generate_is_refused(env, tmp_path, script, board):
    done = promptcut(env, "export", str(board), "-o", str(tmp_path / "cut.mp4"), "--cluster", "local")
    one_line_error(done, EXIT_USAGE, "--cluster", "add --generate")
    done = promptcut(env, "storyboard", str(script), "-o", str(tmp_path / "b.promptcut"), "--cluster", "local")
    one_line_error(done, EXIT_USAGE, "--cluster", "add --generate")
    assert not (tmp_path / "cut.mp4").exists() and not (tmp_path / "b.promptcut").exists()


def test_a_bad_address_in_the_environment_is_a_usage_error(env, tmp_path):
    done = promptcut(env, "generate", "a kite", "-o", str(tmp_path / "shot.mp4"), *TINY,
                     PROMPTCUT_RAY_ADDRESS="gpu box")
    one_line_error(done, EXIT_USAGE, "$PROMPTCUT_RAY_ADDRESS", "'gpu box'")


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_without_ray_the_cluster_is_one_line_with_the_install_hint(env, tmp_path, how):
    flag = ("--cluster", "local:1") if how == "flag" else ()
    extra = {"PROMPTCUT_RAY_ADDRESS": "local:1"} if how == "environment" else {}
    done = promptcut(env, "generate", "a kite", "-o", str(tmp_path / "shot.mp4"), *TINY, *flag, without_ray=True,
                     **extra)
    one_line_error(done, EXIT_USAGE, "needs Ray", "promptcut[cluster]")
    assert not (tmp_path / "shot.mp4").exists()


def test_without_ray_every_generating_command_says_so(env, tmp_path, script, board):
    runs = [("fill", str(board), "-o", str(tmp_path / "filled.promptcut")),
            ("export", str(board), "-o", str(tmp_path / "cut.mp4"), "--generate"),
            ("storyboard", str(script), "-o", str(tmp_path / "b.promptcut"), "--generate", "--model", "tiny-wan")]
    for args in runs:
        done = promptcut(env, *args, "--cluster", "local", without_ray=True)
        one_line_error(done, EXIT_USAGE, "promptcut[cluster]")
    assert not any(tmp_path.glob("filled*")) and not any(tmp_path.glob("cut*"))
    assert not (tmp_path / "b.promptcut").exists()


def test_without_ray_and_without_cluster_nothing_changes(env, tmp_path):
    done = promptcut(env, "generate", "a kite", "-o", str(tmp_path / "shot.mp4"), *TINY, "-q", without_ray=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "shot.mp4").is_file()


def test_an_unreachable_cluster_is_one_line_from_each_command(env, tmp_path, script, board):
    # The address reaches the generator's client from every command: each fails there, in one line, exit 1.
    runs = [("generate", "a kite", "-o", str(tmp_path / "shot.mp4"), *TINY),
            ("fill", str(board), "-o", str(tmp_path / "filled.promptcut")),
            ("export", str(board), "-o", str(tmp_path / "cut.mp4"), "--generate")]
    for args in runs:
        done = promptcut(env, *args, "--cluster", UNREACHABLE, "-q")
        one_line_error(done, EXIT_ERROR, "127.0.0.1:9")
    done = promptcut(env, "storyboard", str(script), "-o", str(tmp_path / "b.promptcut"), "--generate", "--model",
                     "tiny-wan", "--cluster", UNREACHABLE, "-q")
    assert done.returncode == EXIT_ERROR and "Traceback" not in done.stderr
    assert "127.0.0.1:9" in done.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "shot.mp4").exists() and not (tmp_path / "cut.mp4").exists()


def test_a_shot_made_on_a_local_ray(env, tmp_path):
    out = tmp_path / "shot.mp4"
    done = promptcut(env, "generate", "a kite over the dunes", "-o", str(out), *TINY, "--cluster", "local:1",
                     timeout=400)
    assert done.returncode == 0, done.stderr
    assert "generating on a local Ray with 1 worker" in done.stderr
    assert f"wrote {out}" in done.stdout and "seed 7" in done.stdout
    with av.open(str(out)) as container:
        frames = [f for f in container.decode(video=0)]
    assert frames and (frames[0].width, frames[0].height) == (64, 64)
