"""The editor refuses to start, with the fix, where Qt's X11 plugin cannot load, instead of letting Qt abort.

The plugin here is a real shared library built with the C compiler, linked to a library that is then deleted:
ldd reports it ``not found`` exactly as it does for a Qt plugin on a box without its xcb packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from editor.doctor import XCB_PLUGIN_ENV

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is a Linux thing"),
    pytest.mark.skipif(shutil.which("cc") is None or shutil.which("ldd") is None, reason="needs cc and ldd"),
]

GONE = "libpromptcut-gone.so.3"   # a soname no system has


def plugin_needing_a_missing_library(folder: Path) -> Path:
    source = folder / "stub.c"
    source.write_text("void promptcut_stub(void) {}\n")
    gone = folder / GONE
    subprocess.run(["cc", "-shared", "-fPIC", f"-Wl,-soname,{GONE}", "-o", str(gone), str(source)], check=True)
    plugin = folder / "libqxcb.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(plugin), str(source), "-Wl,--no-as-needed",
                    f"-L{folder}", f"-l:{GONE}"], check=True)
    gone.unlink()
    return plugin


def start_editor(plugin: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "PROMPTCUT_DEBUG")}
    # A display that does not exist: should the check let Qt through, Qt aborts and the test fails loudly.
    env.update({"DISPLAY": ":97", XCB_PLUGIN_ENV: str(plugin)})
    return subprocess.run([sys.executable, "-m", "editor.cli"], capture_output=True, text=True, env=env,
                          timeout=120)


def test_a_missing_platform_library_stops_the_editor_with_its_name_and_the_fix_not_a_qt_abort(tmp_path):
    done = start_editor(plugin_needing_a_missing_library(tmp_path))
    assert done.returncode == 1, done
    lines = done.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, done.stderr
    assert GONE in lines[0]
    assert "cannot start" in lines[0]
    assert "promptcut doctor" in done.stderr
    assert "Could not load the Qt platform plugin" not in done.stderr
    assert "Traceback" not in done.stderr



# Hides the two libraries a bare Debian lacks, in a private mount namespace (root only; nothing outside the
# test's process sees it): the library folder is replaced by a folder of links to everything else in it.
HIDE_AND_RUN = r"""
set -e
mount --bind "$LIBDIR" "$WORK/orig"
for f in "$WORK"/orig/*; do
  case "${f##*/}" in libxcb-icccm.so*|libxcb-keysyms.so*) ;; *) ln -s "$f" "$WORK/farm/${f##*/}" ;; esac
done
mount --bind "$WORK/farm" "$LIBDIR"
exec "$@"
"""


def resolved_in(report: str, soname: str) -> Path | None:
    for line in report.splitlines():
        name, _, where = line.strip().partition(" => ")
        if name == soname and where.startswith("/"):
            return Path(where.split(" (")[0]).resolve()
    return None


def can_unshare() -> bool:
    return (os.geteuid() == 0 and shutil.which("unshare") is not None
            and subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0)


def test_on_a_box_without_libxcb_icccm4_and_keysyms1_the_real_plugin_gets_the_exact_apt_get_line(tmp_path):
    from editor.doctor import platform_plugin, run_ldd

    plugin = platform_plugin("xcb", {})
    report = run_ldd(plugin) if plugin is not None and plugin.is_file() else None
    if report is None:
        pytest.skip("no PySide6 xcb plugin to read")
    icccm, keysyms = resolved_in(report, "libxcb-icccm.so.4"), resolved_in(report, "libxcb-keysyms.so.1")
    command = [sys.executable, "-m", "editor.cli"]
    if icccm is not None or keysyms is not None:   # installed here: hide them
        if not can_unshare() or icccm is None or keysyms is None or icccm.parent != keysyms.parent:
            pytest.skip("the libraries are installed and cannot be hidden here (needs root and unshare)")
        (tmp_path / "orig").mkdir()
        (tmp_path / "farm").mkdir()
        script = tmp_path / "hide.sh"
        script.write_text(HIDE_AND_RUN)
        command = ["unshare", "-m", "--propagation", "private", "sh", str(script), *command]
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "PROMPTCUT_DEBUG", XCB_PLUGIN_ENV)}
    env.update({"DISPLAY": ":97", "LIBDIR": str(icccm.parent if icccm else ""), "WORK": str(tmp_path)})
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2, done.stderr
    assert "libxcb-icccm.so.4" in lines[0] and "libxcb-keysyms.so.1" in lines[0]
    assert lines[1].startswith("promptcut: fix: ")
    installs = lines[1].split("apt-get install ", 1)[1].split(";")[0].split()
    assert {"libxcb-icccm4", "libxcb-keysyms1"} <= set(installs)
    assert "Could not load the Qt platform plugin" not in done.stderr
    assert "Traceback" not in done.stderr
