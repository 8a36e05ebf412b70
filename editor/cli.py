"""The ``promptcut`` command.

Starts fast: only argparse and the standard library load here; each subcommand imports what it needs.
Every failure is one line on stderr and a non-zero exit, never a traceback (PROMPTCUT_DEBUG=1 shows one).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Sequence

from editor.cli_models import add_setup_parsers, cmd_models_download, cmd_models_list, cmd_models_path
from editor.cli_project import add_parser as add_project_parser
from editor.cli_storyboard import add_parser as add_storyboard_parser
from editor.cli_support import (
    EXIT_CANCELLED,
    EXIT_ERROR,
    EXIT_USAGE,
    CliError,
    _describe_media,
    _non_negative_float,
    _open,
    _parse_size,
    _positive_float,
    _positive_int,
    _ProgressLine,
    _refuse_existing,
    _seed,
    _sigint_sets,
    add_cluster_option,
    cluster_choice,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line, like every other failure, instead of argparse's usage block.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    from editor import __version__

    parser = _Parser(
        prog="promptcut",
        description="PromptCut: a timeline video editor where recorded clips and prompt-generated shots share "
        "the tracks. With no command, opens the editor.",
    )
    parser.add_argument("--version", action="version", version=f"promptcut {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("open", help="open the editor, optionally with a project or .otio file")
    p.add_argument("file", nargs="?", help="a .promptcut project or an .otio timeline")
    p.add_argument("--smoke", action="store_true", help="check the install: show the window briefly, then close it")
    p.set_defaults(run=_cmd_open)

    p = sub.add_parser("export", help="render a project or .otio timeline to a video file")
    p.add_argument("input", help="a .promptcut project or an .otio timeline")
    p.add_argument("-o", "--output", required=True, help="the video file to write (.mp4)")
    p.add_argument("--preset", help="tiktok, reels, shorts, youtube, square (see `promptcut presets`); "
                   "default: the project's own canvas and frame rate")
    p.add_argument("--encoder", help="libx264 (default), libx265, h264_nvenc, hevc_nvenc, h264_qsv, h264_vaapi…")
    p.add_argument("--encoder-preset", help="encoder speed preset, e.g. veryfast, medium, slow")
    p.add_argument("--crf", type=int, help="constant quality (lower is better; 18-23 is typical)")
    p.add_argument("--size", help="output size WIDTHxHEIGHT, e.g. 1080x1920")
    p.add_argument("--fps", help="output frame rate, e.g. 30, 60 or 30000/1001")
    p.add_argument("--loudness", metavar="LUFS|off",
                   help="normalise the sound to this integrated loudness (EBU R128, -70 to -5 LUFS, true peak "
                   "-1 dBTP) or leave it as it is with off; default: -14 for tiktok, reels and shorts, else off")
    p.add_argument("--captions", metavar="FILE.srt|.vtt",
                   help="burn a caption file into the video (default caption style) and write OUTPUT.srt beside it")
    p.add_argument("-y", "--overwrite", action="store_true", help="replace OUTPUT if it exists")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    p.add_argument("--generate", action="store_true",
                   help="generate the pending generated segments first (takes are saved beside the input)")
    p.add_argument("--model", help="the video model for --generate (see `promptcut models list`)")
    add_cluster_option(p, "the pending segments (with --generate)")
    p.set_defaults(run=_cmd_export)

    p = sub.add_parser("generate", help="make a video shot from a text prompt with a local model")
    p.add_argument("prompt", help="what the shot shows")
    p.add_argument("-o", "--output", required=True, help="the video file to write (.mp4)")
    p.add_argument("--model", help="a model id (see `promptcut models list`); default: an installed model")
    p.add_argument("--seconds", type=_positive_float, help="length in seconds (default: the model's default)")
    p.add_argument("--seed", type=_seed, help="random seed (default: a random one, printed)")
    p.add_argument("--size", help="WIDTHxHEIGHT, snapped to the model (default: its portrait size)")
    p.add_argument("--steps", type=_positive_int, help="denoising steps (default: the model's)")
    p.add_argument("--guidance", type=_non_negative_float, help="guidance scale (default: the model's)")
    p.add_argument("--negative", help="negative prompt (default: the model's)")
    p.add_argument("--image", help="an image the shot starts from (image-to-video models)")
    p.add_argument("--last-image", help="an image the shot ends on (first+last-frame or keyframe models)")
    p.add_argument("--no-cache", action="store_true", help="generate again even if an identical shot exists")
    p.add_argument("-y", "--overwrite", action="store_true", help="replace OUTPUT if it exists")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    add_cluster_option(p, "the shot")
    p.set_defaults(run=_cmd_generate)

    p = sub.add_parser("fill", help="generate every pending segment of a project or .otio and attach the takes")
    p.add_argument("input", help="a .promptcut project or an .otio timeline")
    p.add_argument("-o", "--output", help="where to save (default: over INPUT)")
    p.add_argument("--model", help="the video model for every segment (default: each segment's own, else an "
                   "installed model)")
    p.add_argument("--gaps", action="store_true", help="also fill the gaps of the bottom video track")
    p.add_argument("--prompt", help="what to show in the gaps (with --gaps)")
    p.add_argument("--no-cache", action="store_true", help="generate again even if an identical shot exists")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    add_cluster_option(p, "the segments")
    p.set_defaults(run=_cmd_fill)

    add_storyboard_parser(sub)
    add_project_parser(sub)

    p = sub.add_parser("models", help="list, download or locate video, voice, sound and speech-to-text models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", parser_class=_Parser, required=True)
    m = msub.add_parser("list", help="the models PromptCut knows, installed or not")
    m.add_argument("--json", action="store_true", help="print JSON")
    m.add_argument("--device", metavar="GPU", help="show the expected shot times for this GPU name (default: the "
                   "detected GPU, else cpu)")
    m.add_argument("--sound", action="store_true", help="only the voices, sound and speech-to-text models")
    m.set_defaults(run=cmd_models_list)
    m = msub.add_parser("download", help="fetch a model from the Hugging Face hub into the models folder")
    m.add_argument("model", help="a model id")
    m.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    m.set_defaults(run=cmd_models_download)
    m = msub.add_parser("path", help="print the folder holding a model's weights")
    m.add_argument("model", help="a model id")
    m.set_defaults(run=cmd_models_path)
    add_setup_parsers(msub)

    p = sub.add_parser("presets", help="list the export presets")
    p.set_defaults(run=_cmd_presets)

    p = sub.add_parser("probe", help="show what PromptCut reads from a media file")
    p.add_argument("media", help="a video, audio or image file")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_cmd_probe)

    p = sub.add_parser("doctor", help="check that this machine can run PromptCut, with the fix for each problem")
    p.add_argument("--folder", action="append", metavar="DIR",
                   help="a folder whose free disk space to check (repeatable; default: here, the cache and the "
                   "models folder)")
    p.add_argument("--ascii", action="store_true", help="mark lines with OK/WARN/FAIL instead of ✓ ! ✗")
    p.set_defaults(run=_cmd_doctor)

    p = sub.add_parser(
        "convert", help="convert between a project and timeline files of other editors (by extension)",
        description="Convert by extension between a PromptCut project (.promptcut) and timeline files: "
        "OpenTimelineIO (.otio, .otioz bundle, .otiod folder), Premiere Pro / Final Cut Pro 7 XML (.xml), "
        "Final Cut Pro X / DaVinci Resolve FCPXML (.fcpxml), CMX 3600 EDL (.edl), AAF (.aaf) and, to read only, "
        "Kdenlive (.kdenlive). What a format cannot carry (titles, shots not generated yet) is said in a note.")
    p.add_argument("input", help="a .promptcut project or a timeline file (.otio, .xml, .fcpxml, .edl, .aaf, ...)")
    p.add_argument("output", help="the file to write; its extension chooses the format")
    p.add_argument("-y", "--overwrite", action="store_true", help="replace OUTPUT if it exists")
    p.set_defaults(run=_cmd_convert)
    return parser


# --- subcommands ---------------------------------------------------------------------------------------


def _cmd_open(args: argparse.Namespace) -> int:
    if args.file and not os.path.exists(args.file):
        raise CliError(f"no such file: {args.file}")
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                                                 or os.environ.get("QT_QPA_PLATFORM")):
        raise CliError("no display to open the editor window on (set DISPLAY, or QT_QPA_PLATFORM=offscreen)")
    try:
        from editor.ui.app import run
    except ImportError as exc:
        raise CliError(f"the editor window needs PySide6 ({exc})") from None
    return run(args.file, smoke=args.smoke)


def _cmd_doctor(args: argparse.Namespace) -> int:
    from pathlib import Path

    from editor.doctor import run_checks

    results = run_checks([Path(f) for f in args.folder] if args.folder else None)
    marks = {"ok": "✓", "warn": "!", "fail": "✗"}
    try:
        "".join(marks.values()).encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):   # a C-locale terminal or a log file read as ASCII
        args.ascii = True
    if args.ascii:
        marks = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL"}
    width = max(len(r.name) for r in results)
    for r in results:
        fix = f"  fix: {r.fix}" if r.fix else ""
        print(f"{marks[r.level]} {r.name:<{width}}  {r.detail}{fix}")
    failed = [r.name for r in results if r.level == "fail"]
    if failed:
        print(f"promptcut: {len(failed)} required check{'s' * (len(failed) != 1)} failed: {', '.join(failed)}",
              file=sys.stderr)
        return EXIT_ERROR
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    from editor.model.time import format_rate
    from editor.render.presets import PRESETS

    for p in PRESETS.values():
        print(f"{p.name:<8} {p.width}x{p.height} {format_rate(p.fps):>9} fps  {p.encoder} crf {p.crf}  "
              f"{p.audio_codec} {p.sample_rate // 1000} kHz   {p.description}")
    return 0


def _cmd_probe(args: argparse.Namespace) -> int:
    import json

    from editor.media.probe import probe

    info = probe(args.media)
    if args.json:
        data = {k: (str(v) if v is not None and not isinstance(v, (int, bool, str)) else v)
                for k, v in info.__dict__.items()}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for line in _describe_media(info):
        print(line)
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    from editor.documents import PROJECT_SUFFIX, save_document
    from editor.interchange.formats import format_for, is_timeline_file
    from editor.interchange.otio_common import InterchangeError

    # The output's extension chooses the format: checked before anything is read, so a typo costs one line.
    if os.path.splitext(args.output.rstrip("/\\"))[1].lower() != PROJECT_SUFFIX:
        try:
            format_for(args.output, writing=True)
        except InterchangeError as exc:
            known = is_timeline_file(args.output)
            hint = "" if known else f"; a project is {PROJECT_SUFFIX} (a video: promptcut export)"
            raise CliError(f"{exc}{hint}") from None
    _refuse_existing(args.output, args.overwrite)
    doc = _open(args.input)
    for line in doc.warnings:
        print(f"warning: {line}", file=sys.stderr)
    for line in save_document(doc.timeline, args.output, doc.metadata):
        print(f"note: {line}", file=sys.stderr)
    print(f"wrote {args.output}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from editor.cli_storyboard import generate_document, wants_produce
    from editor.model.time import parse_rate
    from editor.render.encoders import choose_encoder
    from editor.render.export import ExportCancelled, export, resolve_settings
    from editor.render.loudness import check_target
    from editor.render.platform_checks import check_export, check_file_size

    # Checked before anything is opened or generated: a typo here should not cost a render.
    loudness = {} if args.loudness is None else {"loudness": check_target(args.loudness)}
    captions = _read_caption_file(args.captions) if args.captions else None
    _refuse_existing(args.output, args.overwrite)
    cluster = cluster_choice(args, used=args.generate, quiet=args.quiet)
    if args.generate:
        _refuse_lossy_target(args.input)
    doc = _open(args.input)
    offline = sorted({m.path for m in doc.offline})
    damaged = [p for p in offline if os.path.isfile(p)]   # there, but not readable as media
    if damaged:
        raise CliError(f"media damaged or unreadable ({len(damaged)}): {', '.join(damaged)}")
    if offline:
        raise CliError(f"media missing ({len(offline)}): {', '.join(offline)}")
    if args.model and not args.generate:
        raise CliError("--model chooses the model for --generate: add --generate")
    if not args.generate:
        _refuse_pending(doc.timeline)   # before the warnings: a refusal stays one line
    for line in doc.warnings:
        print(f"warning: {line}", file=sys.stderr)
    if args.generate and wants_produce(doc.timeline):   # a storyboard, or generated speech or sound to make
        generate_document(doc, args.input, model=args.model, quiet=args.quiet, cluster=cluster)
    elif args.generate:
        result = _fill_document(doc, args.input, model=args.model, quiet=args.quiet, visible_only=True,
                                cluster=cluster)
        if result.attached:
            _save(doc, args.input)
            n = len(result.attached)
            print(f"generated {n} shot{'s' * (n != 1)}; saved the takes in {args.input}")
    encoder = args.encoder
    if encoder:
        encoder, note = choose_encoder(encoder)
        if note:
            print(f"note: {note}", file=sys.stderr)
    settings = resolve_settings(
        doc.timeline,
        args.preset,
        size=_parse_size(args.size) if args.size else None,
        fps=parse_rate(args.fps) if args.fps else None,
        crf=args.crf,
        encoder=encoder,
        encoder_preset=args.encoder_preset,
        **loudness,
    )
    for note in settings.notes:
        print(f"note: {note}", file=sys.stderr)
    timeline = doc.timeline if captions is None else _with_captions(doc.timeline, captions)
    for line in check_export(timeline, settings.preset, settings.width, settings.height, settings.fps):
        print(f"warning: {line}", file=sys.stderr)
    cancel = threading.Event()
    reporter = _ProgressLine(quiet=args.quiet)
    with _sigint_sets(cancel):
        try:
            result = export(timeline, args.output, settings, progress=reporter, cancel=cancel)
        except ExportCancelled:
            reporter.finish()
            print("promptcut: export cancelled; nothing was written", file=sys.stderr)
            return EXIT_CANCELLED
    reporter.finish()
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    too_big = check_file_size(settings.preset, getattr(result, "size_bytes", 0) or 0)
    if too_big:
        print(f"warning: {too_big}", file=sys.stderr)
    seconds = getattr(result, "elapsed_s", None)
    took = f" in {seconds:.1f} s" if isinstance(seconds, (int, float)) else ""
    print(f"wrote {args.output}{took}")
    for line in result.summary():
        print(line)
    return 0


def _read_caption_file(path: str) -> list:
    """The cues of a .srt/.vtt file, made to fit one caption track (overlaps cut); a one-line error otherwise."""
    from editor.interchange.captions import non_overlapping, read_captions

    cues = non_overlapping(read_captions(path))
    if not cues:
        raise CliError(f"{path}: no captions in the file")
    return cues


def _with_captions(timeline, cues: list):
    """A copy of ``timeline`` with ``cues`` as a caption track on top (the project itself is not changed)."""
    from editor.interchange.captions import cues_to_frames
    from editor.model.commands.captions import ImportCaptions

    copy = timeline.copy()
    ImportCaptions(cues_to_frames(cues, copy.fps)).apply(copy)
    return copy


def _cmd_generate(args: argparse.Namespace) -> int:
    from fractions import Fraction
    from pathlib import Path

    from editor.generate.catalog import require_installed, resolve_model
    from editor.generate.places import places_for
    from editor.generate.runner import GenerationCancelled, JobRunner, job_failure, job_state
    from editor.generate.session import open_client, publish
    from generation.models import get_model
    from generation.plan import PlanError, SegmentNeed, plan_job

    _refuse_existing(args.output, args.overwrite)
    cluster = cluster_choice(args, quiet=args.quiet)
    model = get_model(resolve_model(args.model))
    require_installed(model.id)
    images = {}
    for name, value in (("--image", args.image), ("--last-image", args.last_image)):
        if value is not None:
            if not os.path.isfile(value):
                raise CliError(f"{name}: no such file: {value}")
            images[name] = os.path.abspath(value)
    width, height = _parse_size(args.size) if args.size else (None, None)
    seconds = Fraction(repr(args.seconds)) if args.seconds else Fraction(model.default_frames, model.fps)
    need = SegmentNeed(key="shot", seconds=seconds, prompt=args.prompt, negative=args.negative, model=model.id,
                       seed=args.seed, steps=args.steps, guidance=args.guidance, width=width, height=height,
                       first_image=images.get("--image"), last_image=images.get("--last-image"))
    try:
        job = plan_job(need)
    except PlanError as exc:
        raise CliError(str(exc)) from None
    for note in job.notes:
        print(f"note: {note}", file=sys.stderr)
    places = places_for(None).make()
    finished: list = []
    cancel = threading.Event()
    reporter = _ProgressLine(quiet=args.quiet, label="generating")
    with open_client(places, cluster=cluster) as client, _sigint_sets(cancel):
        runner = JobRunner(client, progress=reporter, cancel=cancel)
        try:
            runner.submit(job.job_spec(), finished.append, no_cache=args.no_cache)
            runner.wait()
        except GenerationCancelled:
            reporter.finish()
            print("promptcut: generation cancelled; nothing was written", file=sys.stderr)
            return EXIT_CANCELLED
    reporter.finish()
    result = finished[0]
    if job_state(result) != "done":
        raise CliError(f"generation {job_state(result)}: {job_failure(result)}")
    publish(Path(result.output), Path(args.output))
    print(f"wrote {args.output} ({job.num_frames} frames at {job.width}x{job.height}, {job.fps} fps; "
          f"model {job.model}, seed {job.seed}, {job.steps} steps, guidance {job.guidance:g})")
    return 0


def _cmd_fill(args: argparse.Namespace) -> int:
    if args.gaps and not args.prompt:
        raise CliError("--gaps needs --prompt TEXT: what to show in the gaps")
    if args.prompt and not args.gaps:
        raise CliError("--prompt is the prompt for gaps: add --gaps")
    output = args.output or args.input
    cluster = cluster_choice(args, quiet=args.quiet)
    _refuse_lossy_target(output)
    doc = _open(args.input)
    for line in doc.warnings:
        print(f"warning: {line}", file=sys.stderr)
    result = _fill_document(doc, output, model=args.model, quiet=args.quiet, gaps=args.gaps,
                            gap_prompt=args.prompt or "", no_cache=args.no_cache, strict=False, cluster=cluster)
    if result.attached or output != args.input:
        _save(doc, output)
    n = len(result.attached)
    print(f"generated {n} shot{'s' * (n != 1)}; wrote {output}")
    if not result.ok:
        raise CliError(result.summary())
    return 0


# --- generation helpers ------------------------------------------------------------------------------------


def _refuse_pending(timeline) -> None:
    """Stop before exporting a timeline with generated segments that have no take, listing them."""
    from editor.cli_storyboard import pending_audio_labels
    from editor.generate.pending import find_pending

    pending = [s for s in find_pending(timeline) if not timeline.track(s.track_id).hidden and s.clip.enabled]
    labels = [s.label(timeline) for s in pending] + pending_audio_labels(timeline)
    if labels:
        n = len(labels)
        noun = "generated segment has" if n == 1 else "generated segments have"
        raise CliError(f"{n} {noun} no take yet: {', '.join(labels)} (add --generate to make them)")


def _fill_document(doc, path: str, *, model: str | None, quiet: bool, gaps: bool = False, gap_prompt: str = "",
                   no_cache: bool = False, strict: bool = True, visible_only: bool = False, cluster=None):
    """Generate the document's pending segments into the folder beside ``path``; returns the FillResult.
    ``strict``: any segment left without a take is an error (export cannot go on without it). ``cluster``: a
    ``ClusterConfig`` to run them on Ray (None: this computer)."""
    from editor.generate.filling import FillCancelled, FillResult, fill
    from editor.generate.pending import find_pending
    from editor.generate.places import places_for
    from editor.generate.session import open_client

    segments = find_pending(doc.timeline, gaps, gap_prompt=gap_prompt)
    if visible_only:   # what an export shows: pending segments on hidden tracks are not needed
        segments = [s for s in segments if not doc.timeline.track(s.track_id).hidden and s.clip.enabled]
    if not segments:
        return FillResult()
    places = places_for(path)
    cancel = threading.Event()
    reporter = _ProgressLine(quiet=quiet, label="generating")
    with open_client(places, cluster=cluster) as client, _sigint_sets(cancel):
        try:
            result = fill(doc.timeline, client, places, segments=segments, model=model, no_cache=no_cache,
                          progress=reporter, cancel=cancel)
        except FillCancelled as exc:
            reporter.finish()
            done = getattr(exc, "result", FillResult())
            if done.attached:   # keep the shots made before Ctrl+C
                _save(doc, path)
                print(f"generation cancelled; saved the {len(done.attached)} shot(s) made before in {path}",
                      file=sys.stderr)
            raise KeyboardInterrupt from None
    reporter.finish()
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if strict and not result.ok:
        raise CliError(result.summary())
    return result


def _refuse_lossy_target(path: str) -> None:
    """Generated takes are saved into the document; another editor's format (XML, EDL, AAF...) cannot hold a
    generated shot, so saving into it would throw the takes (and the prompts) away."""
    from editor.documents import is_timeline

    if is_timeline(path) and os.path.splitext(path)[1].lower() not in (".otio", ".otioz", ".otiod"):
        stem = os.path.splitext(os.path.basename(path))[0]
        raise CliError(f"{path}: generated takes cannot be saved into this format; make it a project first: "
                       f"promptcut convert {path} {stem}.promptcut")


def _save(doc, path: str) -> None:
    from editor.documents import save_document

    save_document(doc.timeline, path, doc.metadata)


def _known_errors() -> tuple[type[BaseException], ...]:
    """Error types whose message is already a user-facing line. Imported lazily (and only if loaded)."""
    kinds: list[type[BaseException]] = [CliError, ValueError, OSError]
    for module, name in (
        ("editor.documents", "DocumentError"),
        ("editor.media.info", "MediaError"),
        ("editor.render.export", "ExportError"),
        ("editor.project", "ProjectError"),
        ("editor.interchange.otio", "InterchangeError"),
        ("editor.media.ffmpeg", "FFmpegNotFound"),
        ("editor.generate.catalog", "ModelError"),
        ("editor.generate.frames", "FrameError"),
        ("generation.errors", "GenerationError"),
        ("generation.models", "UnknownModel"),
        ("generation.plan", "PlanError"),
        ("generation.cluster.config", "ClusterUnavailable"),
    ):
        mod = sys.modules.get(module)
        if mod is not None and hasattr(mod, name):
            kinds.append(getattr(mod, name))
    return tuple(kinds)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        args = parser.parse_args(["open"])
    from editor.logs import describe_internal_error, logger, setup_logging

    setup_logging("cli")
    logger.info("promptcut %s", args.command)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        logger.info("promptcut %s: interrupted", args.command)
        print("promptcut: interrupted", file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as exc:  # noqa: BLE001 - the one place that turns any failure into one line
        if isinstance(exc, _known_errors()):
            logger.warning("promptcut %s: %s", args.command, _one_line(exc))
            if os.environ.get("PROMPTCUT_DEBUG"):
                raise
            print(f"promptcut: error: {_one_line(exc)}", file=sys.stderr)
            return getattr(exc, "exit_code", EXIT_ERROR)
        # The full traceback goes to the log file; the user sees one line naming it.
        line = describe_internal_error(exc, where=f"promptcut {args.command}")
        if os.environ.get("PROMPTCUT_DEBUG"):
            raise
        print(f"promptcut: {line}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
