"""The child process that runs an OpenTimelineIO adapter on another editor's file (see ``foreign_read``).

Run as a script (``python -I foreign_child.py ADAPTER SUFFIX [ARGS_JSON [--from-first-event]]``), never imported
by the editor: it imports
nothing of ours, only opentimelineio and the adapter plugins, so a hostile file, an adapter bug or an abort in
OTIO's C++ core costs this process, not the editor. Protocol: the file's bytes arrive on stdin; on success the
timeline (OTIO JSON text) goes to stdout and the exit status is 0; on a failure the adapter reported, the last
line of stderr starts with :data:`ERROR_MARK` and the status is :data:`EXIT_REFUSED`. Anything else (a signal,
another status, no JSON) is a crash, and the parent words it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile

ERROR_MARK = "promptcut-adapter-error: "
EXIT_REFUSED = 3


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > 300:   # an adapter may quote a whole element; the gist is at the start
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if not isinstance(exc, (ValueError, OSError)) else text


def _refuse(message: str) -> int:
    sys.stderr.write(f"\n{ERROR_MARK}{message}\n")
    sys.stderr.flush()
    return EXIT_REFUSED


def _read(adapter_name: str, suffix: str, data: bytes, arguments: dict):
    import opentimelineio as otio

    adapter = otio.adapters.from_name(adapter_name)
    if adapter.has_feature("read_from_string"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # EDLs from old systems are often Latin-1; every byte decodes, and the timecodes are ASCII anyway.
            text = data.decode("latin-1")
        if b"<!ENTITY" in data:
            # Entity expansion is the billion-laughs bomb; no editor writes entity declarations in its XML.
            raise _Refused("declares XML entities, which PromptCut does not read (no editor writes them)")
        return otio.adapters.read_from_string(text, adapter_name=adapter_name, **arguments)
    # File-only adapters (AAF): a private copy, so the adapter never opens the user's path itself.
    folder = tempfile.mkdtemp(prefix="promptcut-adapter-")
    try:
        path = os.path.join(folder, "input" + suffix)
        with open(path, "wb") as handle:
            handle.write(data)
        return otio.adapters.read_from_file(path, adapter_name=adapter_name, **arguments)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _from_first_event(timeline) -> None:
    """An EDL's record timecodes count from wherever the other editor's timeline started (01:00:00:00 by custom,
    00:59:50:00 with a countdown, ...); the cmx_3600 adapter gives each track a negative start, minus its first
    record-in. The earliest record-in of all tracks becomes the timeline's 0 (tracks keep their offsets from it,
    so they stay in sync), and the timeline's ``global_start_time`` keeps that timecode."""
    import opentimelineio as otio

    tracks = [t for t in timeline.tracks if isinstance(t, otio.schema.Track)]
    if not tracks or any(t.source_range is None for t in tracks):
        return   # a track without a range starts at record 00:00:00:00: nothing earlier to take away
    base = min(-t.source_range.start_time for t in tracks)
    if base.value <= 0:
        return
    for track in tracks:
        start = track.source_range.start_time + base
        track.source_range = otio.opentime.TimeRange(start, track.source_range.duration)
    timeline.global_start_time = base


class _Refused(Exception):
    pass


def main(argv: list[str]) -> int:
    adapter_name, suffix = argv[1], argv[2]
    arguments = json.loads(argv[3]) if len(argv) > 3 else {}
    data = sys.stdin.buffer.read()
    real_stdout = sys.stdout.buffer
    sys.stdout = sys.stderr   # adapters print banners and progress; only the JSON may reach stdout
    os.environ.pop("OTIO_DEFAULT_MEDIA_LINKER", None)   # a user's media linker must not run on a hostile file
    try:
        result = _read(adapter_name, suffix, data, arguments)
        import opentimelineio as otio

        if "--from-first-event" in argv[4:] and isinstance(result, otio.schema.Timeline):
            _from_first_event(result)

        text = otio.adapters.write_to_string(result, "otio_json")
    except _Refused as exc:
        return _refuse(str(exc))
    except MemoryError:
        return _refuse("needs more memory than an import may use")
    except RecursionError:
        return _refuse("nested too deeply")
    except Exception as exc:  # noqa: BLE001 - every adapter failure becomes the one line the parent shows
        return _refuse(_one_line(exc))
    real_stdout.write(text.encode("utf-8"))
    real_stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
