"""bench/audio_speed.py: the tiny run times every sound path beside its peer and prints each section, as text and
as JSON. Figures are never checked: only that they are there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT / "bench" / "audio_speed.py"


def run_bench(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One folder for the tiny models, built by the first run and found by the second."""
    return tmp_path_factory.mktemp("audio-bench-cache")


def test_tiny_run_prints_every_section_with_its_ratios(cache):
    done = run_bench("--tiny", "--cache", str(cache))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Sound paths on cpu")
    for heading in ("== Speech ==", "== Sound ==", "== Transcription =="):
        assert heading in lines

    def starting(prefix: str) -> list[str]:
        return [line for line in lines if line.startswith(prefix)]

    # Each comparison names our path and its peer, and the ratio between them.
    assert starting("espeak-ng: ") and all("real time (our path)" in line for line in starting("espeak-ng: "))
    assert any("(espeak-ng library kept loaded): " in line for line in starting("espeak-ng: "))
    # The command-line peer is measured where installed, else said to be missing.
    assert any("(espeak-ng CLI): " in line or "no peer: the espeak-ng program is not installed" in line
               for line in starting("espeak-ng: "))
    [kokoro] = starting("tiny-kokoro: ")
    assert "(tiny-kokoro KModel direct): " in kokoro and kokoro.endswith("x")
    [sound] = starting("tiny-stable-audio: ")
    assert "(tiny-stable-audio StableAudioPipeline direct): " in sound and sound.endswith(" ms")
    assert starting("tiny-stable-audio queue: ") and starting("espeak-ng queue: ")
    [whisper] = starting("tiny-whisper: ")
    assert "(tiny-whisper ASR pipeline): " in whisper
    assert "Error:" not in done.stdout


def test_json_holds_every_section_row_and_comparison(cache):
    done = run_bench("--tiny", "--json", "--no-worker", "--cache", str(cache))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads(done.stdout)  # JSON only on stdout: progress goes to stderr
    assert report["models"] == "tiny" and report["repeats"] == 1
    assert set(report["sections"]) == {"speech", "sound", "transcription"}
    for name, section in report["sections"].items():
        assert section["rows"] and section["comparisons"], name
        for row in section["rows"]:
            if row["error"]:
                assert row["error"].startswith("no peer"), row
                continue
            assert len(row["runs_s"]) == 1 and isinstance(row["median_s"], float), row
            assert row["min_s"] <= row["median_s"] <= row["max_s"]
        for pair in section["comparisons"]:
            assert isinstance(pair["ratio"], float) or pair["why_none"].startswith("no peer"), pair
    speech = {row["name"] for row in report["sections"]["speech"]["rows"]}
    assert {"espeak-ng (our path)", "tiny-kokoro (our path)", "tiny-kokoro KModel direct"} <= speech


@pytest.mark.parametrize(("args", "message"), [
    (["--tiny", "--repeats", "0"], "--repeats must be at least 1"),
    (["--tiny", "--real"], "--tiny and --real exclude each other"),
    (["--tiny", "--only", "video"], "unknown section video; choose from speech, sound, transcription"),
])
def test_bad_options_are_one_line(args, message):
    done = run_bench(*args, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines()[-1].endswith(message)
