"""``promptcut storyboard`` (a script becomes a project: shots, narration, captions, cast) and the generation
that finishes one (``--generate`` here and on ``promptcut export``).

Standard library only at import time, like the rest of the command (it starts fast); each step imports what
it needs. A mistake in what was asked for (no script, a script error, an unknown or missing model or voice)
is one line and exit code 2, before anything is written; a generation that fails or is interrupted keeps the
project saved with whatever was made.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from pathlib import Path

from editor.cli_support import (
    CliError,
    CliUsageError,
    _refuse_existing,
    _seed,
    _sigint_sets,
    add_cluster_option,
    cluster_choice,
)

DEFAULT_SIZE = (1080, 1920)
DEFAULT_FPS = "30"


def add_parser(sub) -> None:
    """Register ``storyboard`` on the command's subparsers."""
    p = sub.add_parser("storyboard", help="turn a script into a project: one generated shot per line, with narration "
                       "and captions (and with --generate, make them)")
    p.add_argument("script", help="a text file: one shot per line (or prose, split into sentences); "
                   "'Narration | Visual', '[4s]' for a fixed length, '@Name: image.png | description' for the cast")
    p.add_argument("-o", "--output", required=True, help="the project to write (.promptcut)")
    p.add_argument("--model", help="the video model for the shots (see `promptcut models list`); default: an "
                   "installed model, chosen when generating")
    p.add_argument("--voice", help="the narration voice as MODEL:VOICE, e.g. espeak-ng:en-us (the basic voice, the "
                   "default) or kokoro-82m:af_heart")
    p.add_argument("--captions", action=argparse.BooleanOptionalAction, default=True,
                   help="a caption track with each line's narration (default: on)")
    p.add_argument("--style", default="", help="appended to every shot's prompt, e.g. 'watercolour, soft light'")
    p.add_argument("--seed", type=_seed, help="one seed for every shot (default: a new seed per shot)")
    p.add_argument("--chain", action="store_true", help="each shot starts from the previous shot's last frame")
    p.add_argument("--size", help="the canvas: WIDTHxHEIGHT or a preset name (tiktok, youtube, square...); "
                   "default 1080x1920")
    p.add_argument("--fps", help=f"the frame rate, e.g. 24 or 30000/1001 (default: the preset's, else {DEFAULT_FPS})")
    p.add_argument("--generate", action="store_true", help="generate the narration, shots and sound now "
                   "(takes are saved beside the project)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="give up generating after this long")
    p.add_argument("-y", "--overwrite", action="store_true", help="replace OUTPUT if it exists")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    add_cluster_option(p, "the narration, shots and sound (with --generate)")
    p.set_defaults(run=cmd_storyboard)


# --- promptcut storyboard --------------------------------------------------------------------------------------


def cmd_storyboard(args: argparse.Namespace) -> int:
    from editor.documents import save_document
    from editor.model import History, Settings, Timeline

    # Everything that can be wrong with the request is checked before anything is written.
    output = _check_output(args.output, args.overwrite)
    script = _read_script(args.script)
    settings = Settings(*_canvas(args.size), fps=_rate(args.fps, args.size))
    model = _check_model(args.model, needed=args.generate)
    voice = _check_voice(args.voice)
    cluster = cluster_choice(args, used=args.generate, quiet=args.quiet)

    tl = Timeline.empty(settings, video_tracks=0, audio_tracks=0)   # the storyboard's tracks are V1 and A1
    history = History(tl)
    from editor.storyboard.build import build_storyboard

    try:
        history.do(build_storyboard(tl, script, style=args.style or "", model=model or "", voice=voice or "",
                                    seed=args.seed, chain=args.chain, captions=args.captions))
    except ValueError as exc:   # EditError and the story's own checks: a script the timeline cannot hold
        raise CliUsageError(f"{args.script}: {_line(exc)}") from None
    save_document(tl, output)
    board = tl.story.storyboard
    shots = len(board.shots) if board is not None else 0
    spoken = sum(1 for s in board.shots if s.speech) if board is not None else 0
    extras = [f"{spoken} narration line{'s' * (spoken != 1)}"] + (["captions"] if args.captions else [])
    cast = len(tl.story.cast)
    if cast:
        extras.append(f"{cast} cast member{'s' * (cast != 1)}")
    print(f"wrote {args.output}: {shots} shot{'s' * (shots != 1)}, {', '.join(extras)}")
    for note in _card_notes(tl):
        print(f"note: {note}", file=sys.stderr)
    if not args.generate:
        return 0
    result = generate_into(tl, history, str(output), model=model, quiet=args.quiet, timeout=args.timeout,
                           cluster=cluster)
    print(f"{result.summary(failures=False)}; wrote {args.output}")
    if not result.ok:
        raise CliError(f"{len(result.failures)} failed; the project keeps what was made: "
                       + "; ".join(result.failures))
    return 0


def _line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_output(path: str, overwrite: bool) -> Path:
    from editor.documents import is_otio

    if is_otio(path):
        raise CliUsageError(f"{path}: a storyboard is saved as a .promptcut project (convert it to .otio after)")
    try:
        _refuse_existing(path, overwrite)
    except CliError as exc:
        raise CliUsageError(str(exc)) from None
    folder = Path(os.path.abspath(path)).parent
    if not folder.is_dir():
        raise CliUsageError(f"{path}: the folder {folder} does not exist")
    return Path(path)


def _read_script(path: str):
    from editor.storyboard.script import ScriptError, parse_script

    if not os.path.isfile(path):
        raise CliUsageError(f"no such script: {path}")
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CliUsageError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise CliUsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    base = Path(os.path.abspath(path)).parent
    try:
        script = parse_script(text, base_dir=base)
    except ScriptError as exc:
        raise CliUsageError(f"{path}: {_line(exc)}") from None
    return script


def _canvas(text: str | None) -> tuple[int, int]:
    from editor.cli_support import _parse_size
    from editor.render.presets import PRESETS

    if not text:
        return DEFAULT_SIZE
    preset = PRESETS.get(text.strip().lower())
    if preset is not None:
        return preset.width, preset.height
    try:
        return _parse_size(text)
    except CliError as exc:
        names = ", ".join(PRESETS)
        raise CliUsageError(f"--size: {exc} (or a preset: {names})") from None


def _rate(text: str | None, size: str | None):
    from fractions import Fraction

    from editor.model.time import parse_rate
    from editor.render.presets import PRESETS

    if not text:
        preset = PRESETS.get((size or "").strip().lower())
        return preset.fps if preset is not None else Fraction(DEFAULT_FPS)
    try:
        rate = parse_rate(text)
    except (ValueError, ZeroDivisionError):
        raise CliUsageError(f"--fps: not a frame rate: {text!r} (e.g. 24, 30 or 30000/1001)") from None
    if not 1 <= rate <= 240:
        raise CliUsageError(f"--fps: out of range: {text} (1 to 240)")
    return rate


def _check_model(model_id: str | None, *, needed: bool) -> str | None:
    """The video model checked now (unknown or not installed: exit 2). Without --model and --generate the board
    names none, and generating later uses whatever is installed then."""
    from editor.generate.catalog import ModelError, require_installed, resolve_model

    if model_id is None and not needed:
        return None
    try:
        resolved = resolve_model(model_id)
        require_installed(resolved)
    except (ModelError, KeyError) as exc:
        raise CliUsageError(f"--model: {_line(exc)}" if model_id else _line(exc)) from None
    return resolved if model_id else None


def _check_voice(voice: str | None) -> str | None:
    from generation.audio.locate import find_audio_model
    from generation.audio.models import split_voice
    from generation.errors import GenerationError

    if not voice:
        return None
    try:
        info, chosen = split_voice(voice)
    except GenerationError as exc:
        raise CliUsageError(f"--voice: {_line(exc)}") from None
    if not info.is_test_model and find_audio_model(info, build_test_models=False) is None:
        raise CliUsageError(f"--voice: {info.name} is not installed: run `promptcut models download {info.id}`, "
                            "or use the basic voice (espeak-ng:en-us)")
    return f"{info.id}:{chosen.id}"


def _card_notes(tl) -> list[str]:
    """What the cards say a person should know (a model that cannot take a cast member's picture...)."""
    try:
        from editor.storyboard.cards import cards
    except ImportError:   # pragma: no cover - the storyboard package is part of the editor
        return []
    return list(dict.fromkeys(note for card in cards(tl) for note in card.notes))


# --- generating a document's generated clips ------------------------------------------------------------------


def wants_produce(tl) -> bool:
    """True when filling the timeline needs the storyboard's order (speech, fit, video, sound) or makes sound:
    it has a storyboard, or generated speech or sound clips without takes. Other timelines keep the video fill."""
    from editor.storyboard.produce import pending_clips

    return tl.story.storyboard is not None or bool(pending_clips(tl, ("speech", "sound")))


def pending_audio_labels(tl) -> list[str]:
    """The generated speech and sound clips an export would play but that have no take yet."""
    from editor.storyboard.produce import describe, pending_clips

    return [describe(tl, clip) for _, clip in pending_clips(tl, ("speech", "sound"), visible_only=True)]


def generate_into(tl, history, path: str, *, model: str | None, quiet: bool, visible_only: bool = False,
                  timeout: float | None = None, metadata: dict | None = None, cluster=None):
    """Generate every pending generated clip of ``tl`` (see ``editor.storyboard.produce``) into the folder
    beside ``path``, then save the project to ``path`` (atomically) when anything changed, also when it fails
    or is interrupted. ``cluster``: a ``ClusterConfig`` to generate on Ray (None: this computer). Returns the
    ProduceResult."""
    from editor.documents import save_document
    from editor.generate.places import places_for
    from editor.generate.session import open_client
    from editor.storyboard.produce import ProduceCancelled, produce

    places = places_for(path)
    cancel = threading.Event()

    def say(line: str) -> None:
        if not quiet:
            print(line, file=sys.stderr, flush=True)

    with open_client(places, cluster=cluster) as client, _sigint_sets(cancel):
        try:
            result = produce(tl, places, client_factory=lambda: client, history=history, model=model,
                             visible_only=visible_only, progress=say, cancel=cancel,
                             timeout=timeout if timeout is not None else float("inf"))
        except ProduceCancelled as exc:
            if exc.result.changed:   # keep what was made before Ctrl+C
                save_document(tl, path, metadata)
                print(f"generation cancelled; saved what was made in {path}", file=sys.stderr)
            raise KeyboardInterrupt from None
        except BaseException:
            if history.can_undo:   # a failure on the way keeps what was made; the failure is what gets said
                with contextlib.suppress(Exception):
                    save_document(tl, path, metadata)
            raise
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if result.changed:
        save_document(tl, path, metadata)
    return result


def generate_document(doc, path: str, *, model: str | None, quiet: bool, cluster=None) -> None:
    """``promptcut export --generate`` on a storyboard or a timeline with generated sound: fill what the export
    shows, save the project, and stop with one line when something could not be made."""
    from editor.model import History

    result = generate_into(doc.timeline, History(doc.timeline), path, model=model, quiet=quiet, visible_only=True,
                           metadata=doc.metadata, cluster=cluster)
    if result.changed:
        print(f"{result.summary(failures=False)}; saved the takes in {path}")
    if not result.ok:
        raise CliError(f"cannot export: {len(result.failures)} generated clip(s) failed: "
                       + "; ".join(result.failures))
