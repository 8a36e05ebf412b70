"""A save killed mid-way leaves a hidden temporary beside the project; the next save removes it, and only the
stale ones: a save running now in another process keeps its temporary. Real processes, killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from editor.model import Settings, Timeline
from editor.project import ProjectError, load_project, save_project
from editor.project.store import sweep_leftovers
from generation import leftovers
from generation.leftovers import STALE_AFTER_S, TAG, is_temp_name, temp_prefix

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL")

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from editor.project import store
    from generation.leftovers import replacing
    target = Path(sys.argv[1])
    with replacing(target, ".tmp", replace=store._replace) as temp:   # the save's own first step
        store._write_synced(temp, b'{"half": "a project', 0o644)
        print(temp, flush=True)
        time.sleep(120)
    """
)


class Saver:
    """A process stopped in the middle of a save of ``target``: its temporary is written, the rename not done."""

    def __init__(self, target: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
        self.temp = Path(self.proc.stdout.readline().strip())
        assert self.temp.is_file(), "the child did not write its temporary"

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


@pytest.fixture
def savers():
    made: list[Saver] = []
    yield lambda target: made.append(Saver(target)) or made[-1]
    for s in made:
        s.kill()


def timeline() -> Timeline:
    tl = Timeline.empty(Settings(width=320, height=180), video_tracks=1, audio_tracks=1)
    tl.check()
    return tl


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_save_killed_mid_way_leaves_a_recognisable_temporary_that_the_next_save_removes(tmp_path, savers):
    project = tmp_path / "film.promptcut"
    save_project(timeline(), project)
    killed = savers(project)
    assert killed.temp.name.startswith(f".film.promptcut.{TAG}-") and is_temp_name(killed.temp.name)
    killed.kill()
    assert killed.temp.exists()  # what a killed save leaves behind
    save_project(timeline(), project)
    assert hidden(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.promptcut", "film.promptcut.bak"]
    assert load_project(project).timeline.problems() == []


def test_the_temporary_of_a_save_running_now_in_another_process_is_kept(tmp_path, savers):
    project = tmp_path / "film.promptcut"
    running = savers(project)  # alive, mid-save
    save_project(timeline(), project)
    assert running.temp.is_file() and running.temp.read_bytes() == b'{"half": "a project'
    running.kill()
    save_project(timeline(), project)
    assert not running.temp.exists()


def test_another_projects_stale_temporary_in_the_folder_goes_too_but_nothing_else(tmp_path, savers):
    project = tmp_path / "film.promptcut"
    other = savers(tmp_path / "other.promptcut")
    other.kill()
    keep = [tmp_path / ".hidden notes", tmp_path / "film.promptcut.tmp", tmp_path / ".film.promptcut.abc.tmp",
            tmp_path / f"{TAG}-not-hidden.tmp"]
    for path in keep:
        path.write_text("the user's")
    save_project(timeline(), project)
    assert not other.temp.exists()
    assert all(p.read_text() == "the user's" for p in keep)


def test_a_temporary_from_another_machine_goes_only_once_a_day_old(tmp_path):
    project = tmp_path / "film.promptcut"
    host = "0" * 8 if leftovers._HOST_TAG != "0" * 8 else "1" * 8
    young = tmp_path / f".film.promptcut.{TAG}-{host}-{os.getpid()}-abcdefgh.tmp"   # a live pid here means nothing
    old = tmp_path / f".film.promptcut.{TAG}-{host}-1-ijklmnop.tmp"
    for path in (young, old):
        path.write_text("partial")
    day_ago = time.time() - STALE_AFTER_S - 60
    os.utime(old, (day_ago, day_ago))
    save_project(timeline(), project)
    assert young.exists() and not old.exists()


def test_old_style_temporaries_of_this_project_go_once_a_day_old(tmp_path):
    project = tmp_path / "film.promptcut"
    old = [tmp_path / ".film.promptcut.ab12cd_3.tmp", tmp_path / ".film.promptcut.bak.zz99yy88.tmp",
           tmp_path / ".film.promptcut.v2.bak.a1b2c3d4.tmp"]
    young = tmp_path / ".film.promptcut.qwertyui.tmp"
    not_ours = tmp_path / ".other.promptcut.ab12cd_3.tmp"
    day_ago = time.time() - STALE_AFTER_S - 60
    for path in (*old, young, not_ours):
        path.write_text("partial")
        if path is not young:
            os.utime(path, (day_ago, day_ago))
    assert sorted(sweep_leftovers(project)) == sorted(old)
    assert young.exists() and not_ours.exists()


def test_a_leftover_that_is_a_link_is_removed_never_followed(tmp_path, savers):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.mp4").write_text("the user's")
    folder = tmp_path / "project"
    folder.mkdir()
    dead = savers(folder / "film.promptcut")
    dead.kill()
    link = folder / f"{dead.temp.name}.link"
    link.symlink_to(elsewhere, target_is_directory=True)
    (folder / f"{dead.temp.name}.dir").mkdir()
    (folder / f"{dead.temp.name}.dir" / "segment.mp4").write_text("x")
    save_project(timeline(), folder / "film.promptcut")
    assert hidden(folder) == []
    assert (elsewhere / "precious.mp4").read_text() == "the user's"


def test_this_process_keeps_its_own_temporaries_and_long_names_are_cut(tmp_path):
    name = "é" * 110 + ".promptcut"   # 230 bytes: the temporary's name would pass 255 uncut
    prefix = temp_prefix(name)
    assert len(os.fsencode(prefix)) < 120 and is_temp_name(prefix + "x")
    own = tmp_path / f"{temp_prefix('film.promptcut')}abcdefgh.tmp"   # a save in another thread, say
    own.write_text("partial")
    save_project(timeline(), tmp_path / name)
    assert own.exists() and (tmp_path / name).is_file()
    assert hidden(tmp_path) == [own.name]


def test_a_folder_that_cannot_be_listed_costs_the_sweep_nothing(tmp_path):
    assert leftovers.sweep_stale(tmp_path / "no such folder") == []


def test_a_name_too_long_for_the_disk_is_a_one_line_error(tmp_path):
    with pytest.raises(ProjectError, match="not saved: File name too long"):
        save_project(timeline(), tmp_path / ("é" * 200 + ".promptcut"))
