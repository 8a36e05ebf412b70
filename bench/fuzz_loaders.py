"""The long fuzz run over both loaders: 10,000+ malformed and hostile documents, each loaded in a child process
with a time limit, and the outcomes counted.

Inputs start from real documents (a project with every clip kind and effect, the format-0 and format-1
fixtures, an .otio written by PromptCut and one shaped like another tool's) and are mutated at random, seeded:
values swapped for extreme ones (huge, negative, NaN, infinite, ``"1e100000000"``, 4000-digit integers,
deep nesting, every registered OTIO schema name and ``UnknownSchema``, unknown names), keys dropped, duplicated
or repeated in one object, subtrees copied elsewhere, bytes truncated, flipped or spliced.

Each input runs in a forked child (the modules are imported once, in the parent): ``load_project`` or
``read_otio``, then ``timeline.check()``. Outcomes:

- loaded: the loader returned a timeline and ``check()`` held;
- refused: ProjectError / InterchangeError with a one-line message;
- crashes: the child died (a signal, an abort, a non-zero exit without a report);
- hangs: the child ran past the limit (killed);
- other: any other exception, a message of several lines, or a timeline that fails ``check()``.

Done means 0 crashes, 0 hangs, 0 other (issue #12). Examples of each non-zero bad class are printed.

    .venv/bin/python bench/fuzz_loaders.py [--inputs 10000] [--seed 12] [--limit 5] [--jobs N]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import select
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import opentimelineio as otio  # noqa: E402

from editor.interchange.otio import InterchangeError, read_otio, write_otio  # noqa: E402
from editor.project import ProjectError, encode, load_project, to_dict  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "editor" / "project" / "fixtures"

# Stand-ins for what json.dumps cannot write: replaced in the text after dumping.
_RAW = "\x00raw:"

HUGE_INT = int("9" * 4000)


def raw(text: str) -> str:
    """A JSON token written as is (NaN, a 5000-digit literal, a deep nest) in place of a value."""
    return _RAW + text + "\x00"


def interesting_values(rng: random.Random) -> Any:
    schema_names = [f"{name}.{version}" for name, version in otio.core.type_version_map().items()]
    choices: list[Any] = [
        0, -1, 1, 2**31, 2**63, -(2**63) - 1, 2**64 + 1, HUGE_INT, -HUGE_INT, 1e308, -1e308, 5e-324, 0.5, -0.0,
        raw("NaN"), raw("Infinity"), raw("-Infinity"), raw("1e400"), raw("-1e400"), raw("1" + "0" * 5000),
        "1e100000000", "-1e100000000", "1e999", "99999999999999999999999999999999/1", "1/0", "0/0", "30000/1001",
        "29.97", "NaN", "inf", "", "x" * 10000, "\x00", "\ud800", "../../etc/passwd", "/dev/zero", "file:///dev/zero",
        None, True, False, [], {}, [None] * 50, {"OTIO_SCHEMA": "UnknownSchema.1"}, {"OTIO_SCHEMA": "Wibble.1"},
        {"OTIO_SCHEMA": rng.choice(schema_names)}, {"OTIO_SCHEMA": "Adapter.1", "filepath": "evil.py"},
        {"OTIO_SCHEMA": "RationalTime.1", "value": rng.choice([1e308, -5, 0]), "rate": rng.choice([0, -1, 1e308])},
        {"OTIO_SCHEMA": "TimeRange.1"}, rng.choice(schema_names), "UnknownSchema.1", "Clip.99", "Timeline.1",
        raw("[" * 300 + "]" * 300), raw("[" * 150 + "]" * 150), raw('{"a":' * 120 + "1" + "}" * 120),
    ]
    return copy.deepcopy(rng.choice(choices))


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, prefix + (i,))
    return out


def _get(node: Any, path: tuple) -> Any:
    for key in path:
        node = node[key]
    return node


def mutate_tree(doc: Any, rng: random.Random) -> tuple[Any, list[tuple[str, str]]]:
    """``doc`` with 1-4 structural mutations; also returns duplicate-key injections to apply to the text."""
    doc = copy.deepcopy(doc)
    duplicates: list[tuple[str, str]] = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):   # mostly one change: the rest still reads
        paths = _paths(doc)
        path = rng.choice(paths)
        op = rng.random()
        if not path:
            if op < 0.1:
                doc = interesting_values(rng)
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        if op < 0.55:
            parent[key] = interesting_values(rng)
        elif op < 0.65 and isinstance(parent, dict):
            del parent[key]
        elif op < 0.7 and isinstance(parent, list):
            parent.pop(key)
        elif op < 0.8:
            other = _get(doc, rng.choice(paths))
            parent[key] = copy.deepcopy(other) if len(json.dumps(other, default=str)) < 200_000 else None
        elif op < 0.9 and isinstance(parent, dict):
            parent[f"unknown_{rng.randint(0, 99)}"] = interesting_values(rng)
        elif isinstance(parent, dict) and isinstance(key, str):
            duplicates.append((key, json.dumps(interesting_values(rng), default=str)))
        else:
            parent[key] = interesting_values(rng)
    return doc, duplicates


def to_text(doc: Any, duplicates: list[tuple[str, str]]) -> bytes:
    text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=True)
    # Raw tokens: "\u0000raw:TOKEN\u0000" as dumped -> TOKEN.
    while '"\\u0000raw:' in text:
        start = text.index('"\\u0000raw:')
        end = text.index('\\u0000"', start + 10)
        text = text[:start] + text[start + len('"\\u0000raw:'):end] + text[end + len('\\u0000"'):]
    for key, value in duplicates:   # repeat a key in the first object that holds it
        marker = json.dumps(key) + ":"
        at = text.find(marker)
        if at >= 0:
            text = text[:at] + f"{marker} {value}, " + text[at:]
    return text.encode("utf-8", "surrogatepass")


def mutate_bytes(blob: bytes, rng: random.Random) -> bytes:
    data = bytearray(blob)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        if not data:
            break
        at = rng.randrange(len(data))
        if op < 0.3:
            del data[at:]
        elif op < 0.6:
            data[at] = rng.randrange(256)
        elif op < 0.8:
            data[at:at] = rng.choice([b"{", b"[", b"\"", b"\x00", b"\xff", b"NaN", b"1e999", b"}", b"]" * 5])
        else:
            end = min(len(data), at + rng.randint(1, 200))
            data[at:at] = data[at:end] * rng.randint(1, 20)
    return bytes(data)


def seed_documents(folder: Path) -> dict[str, list[Any]]:
    sys.path.insert(0, str(ROOT / "tests" / "editor" / "project"))
    from project_examples import example, example_with_effects  # the project tests' rich timelines

    projects = [json.loads(encode(to_dict(example_with_effects()))), json.loads(encode(to_dict(example())))]
    for name in ("format-0.promptcut", "format-1.promptcut", "format-2.promptcut"):
        if (FIXTURES / name).exists():
            projects.append(json.loads((FIXTURES / name).read_text("utf-8")))
    otios = []
    for tl in (example(), example_with_effects()):
        path = folder / "seed.otio"
        write_otio(tl, path)
        otios.append(json.loads(path.read_text("utf-8")))
    foreign = otio.schema.Timeline(name="foreign")
    track = otio.schema.Track(name="V1")
    foreign.tracks.append(track)
    rate = 24000 / 1001
    for i in range(3):
        clip = otio.schema.Clip(name=f"c{i}", media_reference=otio.schema.ExternalReference(
            target_url=f"file:///media/c{i}.mov", available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(240, rate))),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(10, rate),
                                                 otio.opentime.RationalTime(48, rate)))
        track.append(clip)
        track.append(otio.schema.Gap(duration=otio.opentime.RationalTime(5, rate)))
    nested = otio.schema.Stack(name="nest", children=[otio.schema.Track(children=[otio.schema.Clip(
        name="inner", source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                                            otio.opentime.RationalTime(12, rate)))])])
    track.append(nested)
    track.append(otio.schema.Transition(in_offset=otio.opentime.RationalTime(6, rate),
                                        out_offset=otio.opentime.RationalTime(6, rate)))
    otios.append(json.loads(foreign.to_json_string()))
    return {"project": projects, "otio": otios}


def make_input(kind: str, seeds: list[Any], rng: random.Random) -> bytes:
    doc, duplicates = mutate_tree(rng.choice(seeds), rng)
    blob = to_text(doc, duplicates)
    if rng.random() < 0.1:
        blob = mutate_bytes(blob, rng)
    return blob


# --- running one input in a child ---------------------------------------------------------------------------


def child(kind: str, path: str, out_fd: int) -> None:
    """In the forked child: load, check, write one line ``OUTCOME\\tdetail`` and exit."""
    try:
        timeline = load_project(path).timeline if kind == "project" else read_otio(path).timeline
        problems = timeline.problems()
        line = "loaded\t" if not problems else f"other\tloaded but check() fails: {problems[0]}"
    except (ProjectError, InterchangeError) as exc:
        message = str(exc)
        line = "refused\t" if "\n" not in message and len(message) < 2000 else f"other\tnot one line: {message!r}"
    except BaseException as exc:   # noqa: BLE001 - counting every other outcome is the point
        line = f"other\t{type(exc).__name__}: {exc!s:.300} | {traceback.format_exc(limit=-3)!r:.600}"
    os.write(out_fd, line.replace("\n", " ").encode("utf-8", "replace")[:4000] + b"\n")
    os._exit(0)


def run(inputs: int, seed: int, limit: float, jobs: int) -> Counter:
    rng = random.Random(seed)
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="promptcut-fuzz-") as tmp:
        folder = Path(tmp)
        seeds = seed_documents(folder)
        running: dict[int, tuple[int, float, str, str, str]] = {}   # pid -> (read fd, started, kind, path, label)
        made = 0
        started_all = time.monotonic()

        def reap(pid: int, fd: int, kind: str, path: str, status: int, timed_out: bool) -> None:
            data = b""
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                data += chunk
            os.close(fd)
            if timed_out:
                outcome, detail = "hangs", "killed after the limit"
            elif data:
                outcome, _, detail = data.decode("utf-8", "replace").strip().partition("\t")
            else:
                outcome = "crashes"
                detail = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
                          else f"exit status {os.WEXITSTATUS(status)}")
            counts["inputs"] += 1
            counts[outcome] += 1
            counts[f"{kind} {outcome}"] += 1
            if outcome not in ("loaded", "refused"):
                keep = folder / f"bad-{outcome}-{counts[outcome]}.{'promptcut' if kind == 'project' else 'otio'}"
                os.replace(path, keep) if len(examples.get(outcome, [])) < 5 else os.unlink(path)
                examples.setdefault(outcome, []).append(f"{kind}: {detail[:300]}")
            else:
                os.unlink(path)

        while made < inputs or running:
            while made < inputs and len(running) < jobs:
                kind = "project" if made % 2 == 0 else "otio"
                blob = make_input(kind, seeds[kind], rng)
                path = str(folder / f"in-{made}.{'promptcut' if kind == 'project' else 'otio'}")
                Path(path).write_bytes(blob)
                read_fd, write_fd = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(read_fd)
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    try:
                        child(kind, path, write_fd)
                    finally:
                        os._exit(70)
                os.close(write_fd)
                os.set_blocking(read_fd, False)
                running[pid] = (read_fd, time.monotonic(), kind, path, "")
                made += 1
            select.select([fd for fd, *_ in running.values()], [], [], 0.05)
            now = time.monotonic()
            for pid, (fd, began, kind, path, _) in list(running.items()):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    del running[pid]
                    reap(pid, fd, kind, path, status, False)
                elif now - began > limit:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    del running[pid]
                    reap(pid, fd, kind, path, 0, True)
        elapsed = time.monotonic() - started_all
        print(f"fuzz_loaders: seed {seed}, limit {limit:g} s per input, {jobs} at once, {elapsed:.0f} s")
        for label in ("inputs", "loaded", "refused", "crashes", "hangs", "other"):
            print(f"  {label:8s} {counts[label]}")
        for kind in ("project", "otio"):
            print(f"  {kind:8s} " + ", ".join(f"{o} {counts[f'{kind} {o}']}" for o in
                                              ("loaded", "refused", "crashes", "hangs", "other")))
        for outcome, lines in examples.items():
            print(f"examples of {outcome}:")
            for line in lines[:5]:
                print(f"  {line}")
        if examples:
            kept = folder.parent / f"promptcut-fuzz-kept-{seed}"
            kept.mkdir(exist_ok=True)
            for bad in folder.glob("bad-*"):
                os.replace(bad, kept / bad.name)
            print(f"inputs of the bad outcomes kept in {kept}")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--limit", type=float, default=5.0, help="seconds one input may take")
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)))
    args = parser.parse_args()
    counts = run(args.inputs, args.seed, args.limit, args.jobs)
    return 0 if counts["crashes"] == counts["hangs"] == counts["other"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
