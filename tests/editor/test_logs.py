"""The log file: the user log folder, what the CLI writes there, internal errors as one line plus a traceback
in the log, rotation, and the generator worker's own file beside it. Real files, real subprocesses."""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from editor import logs
from generation import log_files


@pytest.fixture
def log_folder(tmp_path, monkeypatch):
    """This test's own log folder; the file handler is closed afterwards so nothing leaks into other tests."""
    folder = tmp_path / "logs"
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(folder))
    yield folder
    logs.stop_logging()


def run_python(code: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          env=env, timeout=120)


def shut_down(worker: subprocess.Popen[bytes]) -> None:
    """Ask the generator worker to end, as its client does; kill it if it will not."""
    try:
        worker.stdin.write(b'{"cmd": "shutdown"}\n')
        worker.stdin.flush()
        assert worker.wait(timeout=120) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def cli_env(folder: Path) -> dict[str, str]:
    env = {**os.environ, logs.LOG_DIR_ENV: str(folder), "PYTHONUNBUFFERED": "1"}
    env.pop("PROMPTCUT_DEBUG", None)
    return env


def test_the_log_folder_is_the_environment_override_else_the_platform_user_log_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(tmp_path / "mine"))
    assert logs.log_dir() == tmp_path / "mine"
    assert logs.log_path() == tmp_path / "mine" / "promptcut.log"

    monkeypatch.delenv(logs.LOG_DIR_ENV)
    from platformdirs import user_log_dir

    assert logs.log_dir() == Path(user_log_dir("promptcut", appauthor=False))
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
        assert logs.log_dir() == tmp_path / "state" / "promptcut" / "log"


def test_the_generator_reads_the_same_folder_rule_as_the_editor(log_folder):
    assert log_files.log_dir() == logs.log_dir() == log_folder


def test_after_promptcut_runs_its_log_file_exists_and_names_the_command(tmp_path):
    folder = tmp_path / "logs"
    done = subprocess.run([sys.executable, "-m", "editor.cli", "presets"], capture_output=True, text=True,
                          env=cli_env(folder), timeout=120)
    assert done.returncode == 0, done.stderr
    text = (folder / "promptcut.log").read_text(encoding="utf-8")
    assert "cli INFO promptcut: promptcut presets" in text


def test_an_internal_error_is_one_line_for_the_user_and_a_full_traceback_in_the_log(tmp_path):
    folder = tmp_path / "logs"
    # A real `promptcut presets` process whose command has a bug: the failure no user input explains.
    done = run_python("""
        import sys
        import editor.cli as cli

        def broken_presets(args):
            def deep_inside():
                raise RuntimeError("the preset table is\\nbroken")
            deep_inside()

        cli._cmd_presets = broken_presets
        sys.exit(cli.main(sys.argv[1:]))
    """, "presets", env=cli_env(folder))

    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    log = folder / "promptcut.log"
    assert lines == [f"promptcut: internal error: RuntimeError: the preset table is (details in {log})"]
    text = log.read_text(encoding="utf-8")
    assert "cli ERROR promptcut: internal error in promptcut presets: RuntimeError: the preset table is" in text
    assert "Traceback (most recent call last):" in text
    assert "in deep_inside" in text and "RuntimeError: the preset table is\nbroken" in text


def test_a_known_error_stays_one_line_and_is_logged_as_a_warning_without_a_traceback(tmp_path):
    folder = tmp_path / "logs"
    done = subprocess.run([sys.executable, "-m", "editor.cli", "probe", str(tmp_path / "missing.mp4")],
                          capture_output=True, text=True, env=cli_env(folder), timeout=120)
    assert done.returncode != 0
    assert len([line for line in done.stderr.splitlines() if line.strip()]) == 1, done.stderr
    text = (folder / "promptcut.log").read_text(encoding="utf-8")
    assert "cli WARNING promptcut: promptcut probe:" in text
    assert "Traceback" not in text


def test_rotation_keeps_the_live_file_and_four_older_ones(log_folder, monkeypatch):
    # Small files so the test rotates many times; the count is the one the product uses.
    monkeypatch.setattr(log_files, "MAX_BYTES", 4000)
    path = logs.setup_logging("cli")
    for n in range(300):
        logs.logger.warning("line %d %s", n, "x" * 200)

    names = sorted(p.name for p in log_folder.iterdir())
    assert names == ["promptcut.log", "promptcut.log.1", "promptcut.log.2", "promptcut.log.3", "promptcut.log.4"]
    assert all(p.stat().st_size <= 4000 for p in log_folder.iterdir())
    assert "line 299 " in path.read_text(encoding="utf-8")


def test_setting_up_again_replaces_the_handler_and_names_the_new_component(log_folder):
    logs.setup_logging("cli")
    logs.setup_logging("window")
    ours = [h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler)
            and Path(h.baseFilename).parent == log_folder]
    assert len(ours) == 1
    logs.logger.warning("opened")
    assert " window WARNING promptcut: opened" in logs.log_path().read_text(encoding="utf-8")


def test_libraries_log_warnings_but_not_their_chatter(log_folder):
    logs.setup_logging("cli")
    logging.getLogger("some.library").info("chatter")
    logging.getLogger("some.library").warning("worth keeping")
    logging.getLogger("promptcut.export").info("exported a.mp4")
    text = logs.log_path().read_text(encoding="utf-8")
    assert "chatter" not in text
    assert "worth keeping" in text and "exported a.mp4" in text


def test_an_unwritable_log_folder_never_stops_the_program(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(blocker / "logs"))
    try:
        logs.setup_logging("cli")
        try:
            raise ValueError("boom")
        except ValueError as exc:
            line = logs.describe_internal_error(exc)
    finally:
        logs.stop_logging()
    assert line == "internal error: ValueError: boom (run with PROMPTCUT_DEBUG=1 for details)"

    done = subprocess.run([sys.executable, "-m", "editor.cli", "presets"], capture_output=True, text=True,
                          env=cli_env(blocker / "logs"), timeout=120)
    assert done.returncode == 0 and done.stderr == ""


def test_the_generator_worker_writes_its_own_rotating_file_beside_the_editors(tmp_path):
    folder = tmp_path / "logs"
    done = run_python("""
        import logging
        from generation.log_files import setup_worker_logging

        path = setup_worker_logging()
        try:
            raise MemoryError("out of memory in the decoder")
        except MemoryError:
            logging.getLogger("promptcut.worker").exception("job j1 failed")
        print(path)
    """, env=cli_env(folder))
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == folder / "generator.log"
    text = (folder / "generator.log").read_text(encoding="utf-8")
    assert "generator ERROR promptcut.worker: job j1 failed" in text
    assert "MemoryError: out of memory in the decoder" in text
    assert not (folder / "promptcut.log").exists()


def test_a_real_generator_worker_opens_generator_log_in_the_user_log_folder(tmp_path):
    folder = tmp_path / "logs"
    env = {**cli_env(folder), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "generation.worker", "--models-dir", str(tmp_path / "models")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        ready = proc.stdout.readline()
        assert b'"ready"' in ready, ready
    finally:
        shut_down(proc)
    assert (folder / "generator.log").is_file()


def test_a_failed_generator_job_leaves_its_traceback_in_generator_log_and_no_prompt(tmp_path):
    """A real worker, two failing jobs: an unexpected exception deep in the backend (injected), and a simulated
    CUDA out-of-memory error on the real tiny pipeline. Both are one-line events for the editor and full
    tracebacks, named by job id and model, in generator.log; the prompts stay out."""
    from generation.jobs import JobSpec
    from generation.worker import FAIL_OOM_ONCE_ENV

    folder = tmp_path / "logs"
    code = """
        import os, sys
        from generation.backends import diffusers_backend
        from generation import worker

        real = diffusers_backend.DiffusersBackend.generate

        def generate(self, request, **kw):
            def deep_inside():
                raise RuntimeError("the sampler broke")
            if "lighthouse" in request.prompt:
                deep_inside()
            return real(self, request, **kw)

        diffusers_backend.DiffusersBackend.generate = generate
        code = worker.main(sys.argv[1:])
        sys.stderr.flush()
        os._exit(code)
    """
    env = {**cli_env(folder), "OMP_NUM_THREADS": "1", FAIL_OOM_ONCE_ENV: "1"}
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), "--no-pdeathsig"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def send(obj: dict) -> None:
        proc.stdin.write((json.dumps(obj) + "\n").encode())
        proc.stdin.flush()

    def event(name: str) -> dict:
        for raw in proc.stdout:
            msg = json.loads(raw)
            if msg.get("event") == name:
                return msg
        raise AssertionError(f"the worker exited before {name}")

    def spec(prompt: str) -> dict:
        return JobSpec(model="tiny-wan", prompt=prompt, negative_prompt="", seed=1, width=64, height=64,
                       num_frames=9, steps=2, guidance=5.0).to_dict()

    try:
        event("ready")
        send({"cmd": "submit", "job": "j1", "spec": spec("a secret lighthouse at dusk"),
              "output": str(tmp_path / "j1.mp4")})
        failed = event("error")
        assert (failed["job"], failed["kind"]) == ("j1", "internal")
        assert failed["message"] == "RuntimeError: the sampler broke"
        send({"cmd": "submit", "job": "j2", "spec": spec("a private kite"), "output": str(tmp_path / "j2.mp4")})
        oom = event("error")
        assert oom["job"] == "j2" and oom["kind"] == "out_of_memory"
        send({"cmd": "shutdown"})
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    text = (folder / "generator.log").read_text(encoding="utf-8")
    failure = "generator ERROR promptcut.worker: job j1 (model tiny-wan) failed\nTraceback (most recent call last):"
    assert failure in text
    assert "in deep_inside" in text and "RuntimeError: the sampler broke" in text
    assert "generator ERROR promptcut.worker: job j2 (model tiny-wan) failed: out_of_memory:" in text
    assert "OutOfMemoryError" in text and text.count("Traceback (most recent call last):") >= 2
    assert "lighthouse" not in text and "kite" not in text


def test_a_library_warning_that_quotes_a_prompt_reaches_the_log_without_it(log_folder):
    logs.setup_logging("generator")
    log_files.route_library_logs(load=True)   # as the worker does: diffusers' own stderr handler off, ours on
    logging.getLogger("diffusers.pipelines.ltx.pipeline_ltx").warning(
        "The following part of your input was truncated because `max_sequence_length` is set to  128 tokens: %s",
        "and a secret lighthouse")
    logs.logger.info("submitted %s", "JobSpec(model='ltx-video', prompt='a secret lighthouse', seed=2)")
    text = logs.log_path().read_text(encoding="utf-8")
    assert "lighthouse" not in text
    assert "is set to  128 tokens: [prompt left out]" in text
    assert "JobSpec(model='ltx-video', prompt=[prompt left out], seed=2)" in text


def test_a_truncation_warning_over_several_lines_is_cut_whole_and_the_next_record_kept(log_folder):
    """Some pipelines decode the cut-off end to one string, line breaks and all."""
    logs.setup_logging("generator")
    log_files.route_library_logs(load=True)   # as the worker does: diffusers' own stderr handler off, ours on
    logging.getLogger("diffusers.pipelines.hunyuan_video").warning(
        "The following part of your input was truncated because CLIP can only handle sequences up to 77 tokens: %s",
        "the keeper\nclimbs to the secret\n\nlighthouse lamp")
    logs.logger.warning("job j3 (model tiny-ltx) finished")
    text = logs.log_path().read_text(encoding="utf-8")
    assert "keeper" not in text and "secret" not in text and "lighthouse" not in text
    first, second = text.splitlines()
    assert first.endswith("up to 77 tokens: [prompt left out]")
    assert second.endswith("WARNING promptcut: job j3 (model tiny-ltx) finished")


def test_a_real_text_encoders_truncation_warning_reaches_neither_log_with_the_prompt(tmp_path):
    """The real worker on the real tiny LTX pipeline (its text encoder takes 16 tokens): a longer prompt makes
    diffusers warn with the cut-off end of it. diffusers' own logger writes to stderr by itself, and the worker's
    stderr is the job store's log file: the warning must come through our handlers, prompt cut, in both."""
    from generation.jobs import JobSpec
    from generation.worker_process import open_log

    folder = tmp_path / "logs"
    worker_log = tmp_path / "jobs.sqlite.worker.log"
    prompt = ("a quiet harbour at dawn with small boats, gulls and nets drying on the old stone wall, and far away "
              "past the breakwater the secret\nlighthouse keeper waves from the gallery")
    spec = JobSpec(model="tiny-ltx", prompt=prompt, negative_prompt="", seed=1, width=64, height=64, num_frames=9,
                   steps=2, guidance=3.0).to_dict()
    stderr = open_log(worker_log)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "generation.worker", "--no-pdeathsig"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=stderr, env={**cli_env(folder), "OMP_NUM_THREADS": "1"})
    finally:
        stderr.close()
    submit = {"cmd": "submit", "job": "j1", "spec": spec, "output": str(tmp_path / "j1.mp4")}
    try:
        proc.stdin.write((json.dumps(submit) + "\n").encode())
        proc.stdin.flush()
        ended = next(msg for msg in map(json.loads, proc.stdout) if msg.get("event") in ("done", "error"))
        assert ended["event"] == "done", ended
    finally:
        shut_down(proc)

    warning = "part of your input was truncated because `max_sequence_length` is set to  16 tokens: [prompt left out]"
    for text in ((folder / "generator.log").read_text(encoding="utf-8"), worker_log.read_text(encoding="utf-8")):
        assert warning in text
        assert "lighthouse" not in text and "keeper" not in text and "breakwater" not in text
