"""Reading another editor's timeline file (FCP 7 / Premiere XML, FCPXML, EDL, AAF, Kdenlive) through its
OpenTimelineIO adapter, in a child process.

The adapters parse XML, EDL text and AAF compound files in Python and C; OTIO's C++ core aborts the whole
process on some input. So the adapter runs in ``foreign_child`` under a wall-clock timeout and memory and CPU
limits: a hostile file, a deep nesting, an adapter bug or an abort costs that process, and the editor gets one
line. The child hands back OTIO JSON text, which goes through ``otio_guard`` and the same import as an .otio
file (``read_otio_text``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

from editor.interchange.foreign_child import ERROR_MARK, EXIT_REFUSED
from editor.interchange.otio import read_otio_text
from editor.interchange.otio_common import ImportResult, InterchangeError
from editor.safe_io import FileRefused, read_regular_file
from generation.child_python import child_command

CHILD_SCRIPT = Path(__file__).with_name("foreign_child.py")
CHILD_MODULE = "editor.interchange.foreign_child"
TIMEOUT_S = 60.0                      # a real AAF of a feature reads in seconds; past this it is not coming
MEMORY_LIMIT_BYTES = 4 * 1024 ** 3    # address space: Python, OTIO and pyaaf2 need a few hundred MB
OUTPUT_LIMIT_BYTES = 512 * 1024 ** 2  # the timeline as OTIO JSON; far beyond any real one


def read_foreign(path: str | os.PathLike[str], adapter_name: str, *, label: str,
                 timeout_s: float = TIMEOUT_S) -> ImportResult:
    """Import ``path`` with the adapter ``adapter_name`` (``label`` names the format in messages), run in a
    child process. Relative media paths resolve against the file's folder. InterchangeError, one line."""
    target = Path(path)
    try:
        data = read_regular_file(target)
    except FileNotFoundError:
        raise InterchangeError(f"{target}: no such file") from None
    except IsADirectoryError:
        raise InterchangeError(f"{target}: is a folder, not a {label} file") from None
    except FileRefused as exc:
        raise InterchangeError(f"{target}: {exc}") from None
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise InterchangeError(f"{target}: empty file")
    arguments: dict = {}
    notes: list[str] = []
    from_first_event = False
    if adapter_name == "cmx_3600":
        rate, note = edl_rate(data)
        arguments["rate"] = rate
        notes += [note] if note else []
        # An EDL PromptCut wrote records from 00:00:00:00, so its record timecodes are timeline frames (a
        # first clip at 3 stays at 3). Another editor's records from its own start, usually 01:00:00:00: the
        # earliest record-in becomes 0 there (see foreign_child).
        from_first_event = EDL_RATE_COMMENT.search(data) is None
    text = run_adapter(data, adapter_name, target.suffix.lower(), shown=f"{target}", label=label,
                       timeout_s=timeout_s, arguments=arguments, from_first_event=from_first_event)
    result = read_otio_text(text, shown=str(target), base_dir=os.path.dirname(os.path.abspath(target)))
    result.warnings[:0] = notes
    return result


_TIMECODE = re.compile(rb"\b\d\d:\d\d:\d\d([:;.])(\d\d)\b")
_EDL_RATES = (24, 25, 30, 48, 50, 60)
EDL_RATE_COMMENT = re.compile(rb"^\* PROMPTCUT FRAME RATE: (\d{1,7}(?:/\d{1,7})?)\s*$", re.MULTILINE)


def edl_rate(data: bytes) -> tuple[float, str]:
    """The frame rate an EDL's timecodes allow (an EDL does not record it): the lowest common rate above its
    highest frame number, drop-frame (';' or "FCM: DROP FRAME") meaning 29.97 / 59.94. With the line that says
    so, since a guess the user should know about; no line for an EDL whose rate comment PromptCut wrote."""
    ours = EDL_RATE_COMMENT.search(data)
    if ours:   # an EDL PromptCut wrote says its rate in a comment other editors ignore
        numerator, _, denominator = ours.group(1).partition(b"/")
        if 0 < int(numerator) < 10**6 and 0 < int(denominator or b"1") < 10**6:
            return int(numerator) / int(denominator or b"1"), ""
    found = _TIMECODE.findall(data)
    highest = max((int(frames) for _, frames in found), default=0)
    drop = any(sep == b";" for sep, _ in found) or b"FCM: DROP FRAME" in data.upper()
    rate = next((r for r in _EDL_RATES if highest < r), 60)
    if drop:   # drop-frame timecode exists only for the NTSC rates
        rate = 60 if highest >= 30 else 30
        exact = rate * 1000 / 1001
        return exact, (f"an EDL does not record its frame rate: read at {exact:.2f} fps (drop-frame timecode up "
                       f"to frame {highest})")
    return float(rate), (f"an EDL does not record its frame rate: read at {rate} fps (its timecodes count frames "
                         f"up to {highest})")


def run_adapter(data: bytes, adapter_name: str, suffix: str, *, shown: str, label: str,
                timeout_s: float = TIMEOUT_S, arguments: dict | None = None, from_first_event: bool = False) -> bytes:
    """The OTIO JSON the adapter makes of ``data``, from a child process; InterchangeError (one line naming
    ``shown``) when the adapter refuses it, crashes, runs out of memory or time. ``from_first_event``: the
    earliest start of any track becomes the timeline's 0 (another editor's EDL records from 01:00:00:00)."""
    # Run as a file (importing nothing of ours); in the desktop bundle, as the launcher's module.
    command = child_command(CHILD_MODULE, [adapter_name, suffix, json.dumps(arguments or {})],
                            script=CHILD_SCRIPT, isolated=True)
    command += ["--from-first-event"] if from_first_event else []
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=timeout_s,
                              preexec_fn=_limits(timeout_s) if os.name == "posix" else None, check=False,
                              start_new_session=True)   # a Ctrl+C in the terminal is the editor's, not the child's
    except subprocess.TimeoutExpired:
        raise InterchangeError(f"{shown}: reading it as {label} took over {timeout_s:g} s; gave up "
                               "(a damaged or hostile file?)") from None
    except OSError as exc:
        raise InterchangeError(f"{shown}: cannot start the {label} reader ({exc.strerror or exc})") from None
    if done.returncode == 0 and done.stdout.strip():
        if len(done.stdout) > OUTPUT_LIMIT_BYTES:
            raise InterchangeError(f"{shown}: the {label} reader made an implausibly large timeline; refused")
        return done.stdout
    why = _adapter_line(done.stderr)
    if done.returncode == EXIT_REFUSED and why:
        raise InterchangeError(f"{shown}: the {label} reader refused it ({why})")
    if done.returncode < 0:
        name = _signal_name(-done.returncode)
        if -done.returncode in (getattr(signal, "SIGXCPU", -1), getattr(signal, "SIGKILL", -1)):
            raise InterchangeError(f"{shown}: reading it as {label} used too much time or memory; gave up "
                                   "(a damaged or hostile file?)")
        raise InterchangeError(f"{shown}: the {label} reader crashed on this file ({name}); "
                               "the file is damaged or uses something the reader cannot handle")
    tail = " ".join(done.stderr.decode("utf-8", "replace").split()[-30:])
    if "MemoryError" in tail:
        raise InterchangeError(f"{shown}: reading it as {label} needs more memory than an import may use")
    raise InterchangeError(f"{shown}: the {label} reader failed (exit status {done.returncode}"
                           + (f": {tail[-200:]}" if tail else "") + ")")


def _adapter_line(stderr: bytes) -> str:
    for line in reversed(stderr.decode("utf-8", "replace").splitlines()):
        if line.startswith(ERROR_MARK):
            return line[len(ERROR_MARK):].strip()
    return ""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _limits(timeout_s: float):
    """What the child sets on itself before it starts: address space, CPU seconds, no core dump."""
    import resource

    def apply() -> None:
        for limit, value in ((resource.RLIMIT_AS, MEMORY_LIMIT_BYTES),
                             (resource.RLIMIT_CPU, int(timeout_s) + 5),
                             (resource.RLIMIT_CORE, 0)):
            try:
                _, hard = resource.getrlimit(limit)
                resource.setrlimit(limit, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
            except (ValueError, OSError):   # a platform without that limit: the timeout still holds
                pass

    return apply
