"""`promptcut doctor`: what each check concludes, and the exact fix it names. No Qt is loaded here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from editor import doctor
from editor.doctor import (
    CheckResult,
    audio_result,
    check_audio,
    check_disk,
    check_display,
    check_ffmpeg,
    check_gpu,
    check_qt_libraries,
    debian_packages,
    library_fix,
    missing_libraries,
    qt_platform,
    startup_problem,
    would_use_xcb,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is a Linux thing")

# What ldd prints for PySide6's libqxcb.so on a Debian 12 box with only the basic X libraries installed.
BARE_DEBIAN_LDD = """\
\tlinux-vdso.so.1 (0x00007ffc2b5f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f3a1c000000)
\tlibQt6Gui.so.6 => /venv/PySide6/Qt/lib/libQt6Gui.so.6 (0x00007f3a1b600000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f3a1c4e0000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f3a1c4d0000)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f3a1c4a0000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f3a1c6a0000)
"""


def fake_plugin(tmp_path: Path) -> Path:
    """A file standing where the xcb plugin would be (its contents are what the recorded ldd report says)."""
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"\x7fELF")
    return plugin


def x11_session(plugin: Path, **more: str) -> dict[str, str]:
    return {"DISPLAY": ":0", doctor.XCB_PLUGIN_ENV: str(plugin), **more}


# --- ldd's report -> Debian packages ---------------------------------------------------------------------------


def test_the_missing_libraries_are_the_not_found_lines_of_ldd_each_once_in_order():
    assert missing_libraries(BARE_DEBIAN_LDD) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_a_complete_report_has_nothing_missing():
    assert missing_libraries(BARE_DEBIAN_LDD.replace("not found", "/lib/x86_64-linux-gnu/x.so (0x1)")) == []
    assert missing_libraries("") == []


def test_each_missing_library_maps_to_its_debian_package_and_each_package_is_named_once():
    packages, unknown = debian_packages(["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libglib-2.0.so.0",
                                         "libgthread-2.0.so.0", "libEGL.so.1"])
    assert packages == ["libxcb-icccm4", "libxcb-keysyms1", "libglib2.0-0", "libegl1"]
    assert unknown == []


def test_a_library_no_package_is_known_for_is_reported_by_name():
    assert debian_packages(["libxcb-icccm.so.4", "libfancy.so.7"]) == (["libxcb-icccm4"], ["libfancy.so.7"])


def test_the_fix_is_one_apt_get_command_with_sudo_unless_root():
    missing = ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert library_fix(missing, has_apt=True, as_root=False) == "sudo apt-get install libxcb-icccm4 libxcb-keysyms1"
    assert library_fix(missing, has_apt=True, as_root=True) == "apt-get install libxcb-icccm4 libxcb-keysyms1"


def test_unknown_libraries_are_named_after_the_install_command():
    fix = library_fix(["libxcb-icccm.so.4", "libfancy.so.7"], has_apt=True, as_root=False)
    assert fix.startswith("sudo apt-get install libxcb-icccm4; ")
    assert "libfancy.so.7" in fix


def test_without_apt_the_fix_names_the_libraries_instead_of_debian_packages():
    fix = library_fix(["libxcb-icccm.so.4"], has_apt=False, as_root=False)
    assert "apt-get" not in fix
    assert "libxcb-icccm.so.4" in fix


# --- which platform Qt will use ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("environ", "platform"), [
    ({}, "xcb"),
    ({"DISPLAY": ":0"}, "xcb"),
    ({"QT_QPA_PLATFORM": "offscreen"}, "offscreen"),
    ({"QT_QPA_PLATFORM": "xcb:nograb"}, "xcb"),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, "wayland"),
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "wayland"),
    ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, "xcb"),
])
def test_qt_platform_follows_qt_qpa_platform_then_the_session_type(environ, platform):
    assert qt_platform(environ) == platform


@linux_only
def test_only_an_x11_display_without_another_platform_chosen_takes_the_xcb_path():
    assert would_use_xcb({"DISPLAY": ":0"})
    assert would_use_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"})
    assert not would_use_xcb({})
    assert not would_use_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"})


# --- the Qt and display checks -----------------------------------------------------------------------------------


@linux_only
def test_missing_xcb_libraries_fail_the_qt_check_with_the_packages_to_install(tmp_path):
    result = check_qt_libraries(x11_session(fake_plugin(tmp_path)), ldd=lambda _: BARE_DEBIAN_LDD)
    assert result.level == "fail"
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in result.detail
    assert result.fix.endswith("apt-get install libxcb-icccm4 libxcb-keysyms1")


@linux_only
def test_a_missing_plugin_file_fails_the_qt_check(tmp_path):
    result = check_qt_libraries(x11_session(tmp_path / "nowhere" / "libqxcb.so"))
    assert result.level == "fail"
    assert "nowhere" in result.detail


@linux_only
def test_when_ldd_cannot_tell_the_qt_check_warns_instead_of_guessing(tmp_path):
    result = check_qt_libraries(x11_session(fake_plugin(tmp_path)), ldd=lambda _: None)
    assert result.level == "warn"


@linux_only
def test_the_installed_pyside_plugin_is_read_with_the_real_ldd():
    result = check_qt_libraries({"DISPLAY": ":0"})
    assert result.level in ("ok", "fail")   # the box decides which; both are one line with a fix when failing
    assert "\n" not in result.detail
    assert result.level == "ok" or "apt-get install" in result.fix or "provide" in result.fix


@linux_only
def test_startup_names_the_missing_packages_in_two_lines(tmp_path):
    lines = startup_problem(x11_session(fake_plugin(tmp_path)), ldd=lambda _: BARE_DEBIAN_LDD)
    assert len(lines) == 2
    assert "libxcb-icccm.so.4" in lines[0]
    assert "apt-get install libxcb-icccm4 libxcb-keysyms1" in lines[1]


@linux_only
def test_startup_is_not_stopped_off_the_xcb_path_or_when_nothing_is_missing(tmp_path):
    plugin = fake_plugin(tmp_path)
    assert startup_problem(x11_session(plugin, QT_QPA_PLATFORM="offscreen"), ldd=lambda _: BARE_DEBIAN_LDD) == []
    assert startup_problem({doctor.XCB_PLUGIN_ENV: str(plugin)}, ldd=lambda _: BARE_DEBIAN_LDD) == []
    assert startup_problem(x11_session(plugin), ldd=lambda _: "\tlibxcb.so.1 => /lib/libxcb.so.1 (0x1)\n") == []


@linux_only
def test_no_display_is_a_warning_that_suggests_offscreen_for_headless_use():
    result = check_display({})
    assert result.level == "warn"
    assert "QT_QPA_PLATFORM=offscreen" in result.fix
    assert check_display({"DISPLAY": ":1"}).level == "ok"
    assert check_display({"QT_QPA_PLATFORM": "offscreen"}).level == "ok"
    assert check_display({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":1"}).level == "warn"


# --- audio, ffmpeg, GPU, disk ------------------------------------------------------------------------------------


def test_audio_with_a_real_playback_device_is_ok():
    result = audio_result("PulseAudio", ["Built-in Audio Analog Stereo", "HDMI"])
    assert result == CheckResult("audio output", "ok", "PulseAudio: Built-in Audio Analog Stereo and 1 more")


@pytest.mark.parametrize(("backend", "devices", "error"), [
    ("Null", ["NULL Playback Device"], ""),
    ("ALSA", [], ""),
    (None, [], "ALSA: can't get device info"),
])
def test_no_audio_device_is_a_warning_that_playback_will_be_silent(backend, devices, error):
    result = audio_result(backend, devices, error)
    assert result.level == "warn"
    assert result.detail.startswith("no audio device: playback will be silent")
    assert "pulseaudio" in result.fix and "pipewire-pulse" in result.fix


def test_a_sound_server_with_only_its_null_sink_is_silent_too():
    result = audio_result("PulseAudio", ["Null Output"])
    assert result.level == "warn"
    assert result.detail == "no audio device: playback will be silent (only PulseAudio's null output)"


def test_the_audio_check_on_this_machine_is_one_finding_and_keeps_the_c_librarys_chatter_off_stderr(capfd):
    result = check_audio()
    assert result.level in ("ok", "warn")
    assert capfd.readouterr().err == ""


def test_ffmpeg_is_found_and_its_version_reported():
    result = check_ffmpeg()
    assert result.level == "ok", result
    assert " at " in result.detail


def test_the_gpu_check_never_fails_the_doctor():
    result = check_gpu()
    assert result.level in ("ok", "warn")
    if result.level == "warn" and "PyTorch is not installed" in result.detail:
        assert "[gen]" in result.fix


def driver_reports(stdout: str):
    """nvidia-smi's answer, the true edge: what ``editor.gpus.detect_gpus`` would run and read."""
    from editor.gpus import detect_gpus

    def run(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 0, stdout=stdout, stderr="")

    return lambda: detect_gpus(run=run, which=lambda name: f"/usr/bin/{name}")


def test_without_torch_the_gpu_check_still_names_the_card_the_driver_sees():
    result = check_gpu(driver_reports("NVIDIA GeForce RTX 4090, 24564, 550.54.14\n"), torch_installed=False)
    assert result.level == "warn"
    assert result.detail == ("NVIDIA GeForce RTX 4090, 24 GiB, driver 550.54.14 (PyTorch is not installed: "
                             "generating shots needs the [gen] extra)")
    assert "[gen]" in result.fix


def test_without_torch_or_a_driver_the_gpu_check_says_what_is_missing():
    assert check_gpu(driver_reports(""), torch_installed=False).detail == (
        "PyTorch is not installed: generating shots needs the [gen] extra")
    assert check_gpu(None, torch_installed=False).detail.startswith("PyTorch is not installed")


def test_promptcut_doctor_s_checks_take_the_gpu_probe():
    names = [r.name for r in doctor.run_checks(detect_gpus=driver_reports("NVIDIA L4, 23034, 550.54.14\n"))]
    assert "GPU for generation" in names


def test_disk_space_under_the_limit_is_a_warning_naming_the_folder(tmp_path):
    result = check_disk([tmp_path], low=10**18)
    assert result.level == "warn"
    assert str(tmp_path) in result.detail


def test_a_folder_not_made_yet_is_measured_on_its_parents_disk(tmp_path):
    result = check_disk([tmp_path / "later" / "cut.media"], low=0)
    assert result.level == "ok"
    assert "GB at" in result.detail


# --- the command ---------------------------------------------------------------------------------------------


@linux_only
def test_promptcut_doctor_prints_one_line_per_check_and_exits_1_when_a_required_check_fails(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "XDG_SESSION_TYPE", "PROMPTCUT_DEBUG")}
    env[doctor.XCB_PLUGIN_ENV] = str(tmp_path / "missing" / "libqxcb.so")
    done = subprocess.run([sys.executable, "-m", "editor.cli", "doctor", "--ascii", "--folder", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1, done
    lines = done.stdout.splitlines()
    assert len(lines) == 7
    assert all(line.split()[0] in ("OK", "WARN", "FAIL") for line in lines)
    assert lines[0].startswith("FAIL Qt platform libraries")
    assert "fix: " in lines[0]
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == "promptcut: 1 required check failed: Qt platform libraries"


# --- tools/system-packages.sh: installs what the checks above look for -------------------------------------------

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "system-packages.sh"
QT_XCB = ["libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-shape0",
          "libxcb-render-util0", "libxcb-image0", "libegl1", "libgl1", "libfontconfig1", "libdbus-1-3"]
EVERYTHING = [*QT_XCB, "xvfb", "xauth", "pulseaudio", "pulseaudio-utils", "libfribidi0"]

needs_sh = pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("sh") is None,
                              reason="a Linux shell script")


class System:
    """A PATH with the shell's own tools plus stand-ins for the package manager (the true edge: the test may not
    install anything), recording every apt-get and sudo call."""

    def __init__(self, folder: Path, installed: list[str], *, apt: bool = True, root: bool = True,
                 sudo: bool = False, apt_fails: bool = False) -> None:
        self.bin = folder / "bin"
        self.bin.mkdir()
        self.log = folder / "calls.log"
        self.log.touch()
        (folder / "installed").write_text("".join(f"{p}\n" for p in installed))
        for tool in ("awk", "grep", "uname", "env", "cat"):
            (self.bin / tool).symlink_to(shutil.which(tool))
        self.tool("id", f"echo {0 if root else 1000}")
        if apt:
            self.tool("dpkg-query", f"""shift 2
for p in "$@"; do
  if grep -qx "$p" {folder}/installed; then echo "$p install ok installed"
  else echo "dpkg-query: no packages found matching $p" >&2; fi
done""")
            self.tool("apt-get", f'echo "apt-get $*" >> {self.log}; exit {1 if apt_fails else 0}')
        if sudo:
            self.tool("sudo", f'echo "sudo $*" >> {self.log}; [ "$1" = -n ] && shift; exec "$@"')

    def tool(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f"#!{shutil.which('sh')}\n{body}\n")
        path.chmod(0o755)

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run([shutil.which("sh"), str(SCRIPT)], capture_output=True, text=True, timeout=60,
                              env={"PATH": str(self.bin), "HOME": str(self.bin)}, stdin=subprocess.DEVNULL)

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines()


@needs_sh
def test_with_everything_installed_the_script_is_silent_and_touches_no_package_manager(tmp_path):
    system = System(tmp_path, EVERYTHING)
    done = system.run()
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert system.calls() == []


@needs_sh
def test_missing_packages_are_installed_after_one_apt_get_update(tmp_path):
    system = System(tmp_path, [p for p in EVERYTHING if p not in ("libxcb-icccm4", "libxcb-keysyms1", "xvfb")])
    done = system.run()
    assert done.returncode == 0
    assert system.calls() == ["apt-get update -qq",
                              "apt-get install -y -qq --no-install-recommends libxcb-icccm4 libxcb-keysyms1 xvfb"]


@needs_sh
def test_a_user_with_sudo_installs_through_sudo_without_a_password_prompt_when_not_interactive(tmp_path):
    system = System(tmp_path, [p for p in EVERYTHING if p != "xauth"], root=False, sudo=True)
    assert system.run().returncode == 0
    assert system.calls()[0] == "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq"
    assert system.calls()[-1].endswith("apt-get install -y -qq --no-install-recommends xauth")


@needs_sh
def test_a_pipewire_desktop_keeps_its_sound_server(tmp_path):
    system = System(tmp_path, [*QT_XCB, "xvfb", "xauth", "pipewire-pulse", "libfribidi0"])
    assert system.run().returncode == 0
    assert system.calls()[-1].endswith("--no-install-recommends pulseaudio-utils")


@pytest.mark.parametrize("situation", [
    {"apt": False},                          # another distribution
    {"root": False, "sudo": False},          # no way to become root
    {"apt_fails": True},                     # no network, a locked dpkg, ...
])
@needs_sh
def test_when_it_cannot_install_it_names_the_packages_and_lets_make_go_on(tmp_path, situation):
    system = System(tmp_path, [p for p in EVERYTHING if p != "libxcb-icccm4"], **situation)
    done = system.run()
    assert done.returncode == 0
    assert "libxcb-icccm4" in done.stderr
    assert not any(call.startswith("apt-get install") for call in system.calls()) or situation.get("apt_fails")


def test_titles_check_names_the_fonts_and_the_missing_shaping_library():
    from editor.doctor import check_text

    ok = check_text(shaping=lambda: True)
    assert ok.level == "ok" and "fonts" in ok.detail
    missing = check_text(shaping=lambda: False)
    assert missing.level == "warn" and "FriBiDi" in missing.detail and "libfribidi0" in missing.fix
