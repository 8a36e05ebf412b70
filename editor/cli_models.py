"""`promptcut models list | download | path | index | fetch`: the video, voice, sound and speech-to-text
models the generator can use, where they are, and fetching them (``fetch`` through first-run setup's resumable,
checksummed download from a model index). Like the rest of the CLI, each command imports what it needs."""

from __future__ import annotations

import argparse

from editor.cli_support import CliError, _Fraction, _ProgressLine


def cmd_models_list(args: argparse.Namespace) -> int:
    import json

    from editor.cli_support import model_entry, model_lines, sound_model_entry, sound_model_lines
    from editor.generate.catalog import model_rows
    from generation.audio.models import audio_models

    sound = audio_models()
    if args.sound:
        if args.json:
            print(json.dumps([sound_model_entry(m) for m in sound], indent=2))
        else:
            print("\n".join(sound_model_lines(sound)[2:]))
        return 0
    rows = model_rows()
    device = args.device or _detected_device()
    if args.json:
        print(json.dumps([model_entry(row, device) for row in rows], indent=2))
        return 0
    width = max(len(r.model.id) for r in rows)
    print(f"expected times per 5 s shot are for {device} (measured here, or ~published with the source)")
    for row in rows:
        for line in model_lines(row, device, width):
            print(line)
    print("\n".join(sound_model_lines(sound)))
    return 0


def _detected_device() -> str:
    # Only here does the command load torch: naming the GPU needs it, and listing is the one place that asks.
    from generation.shot_timing import detected_device

    return detected_device()


def cmd_models_download(args: argparse.Namespace) -> int:
    from editor.generate.catalog import download_model

    reporter = _ProgressLine(quiet=args.quiet, label="downloading")

    def progress(done: int, total: int | None, eta: float | None) -> None:
        reporter(_Fraction(done / total if total else 0.0, eta))

    path = download_model(args.model, progress=progress)
    reporter.finish()
    print(path)
    return 0


def cmd_models_path(args: argparse.Namespace) -> int:
    from editor.generate.catalog import model_path

    print(model_path(args.model))
    return 0


def add_setup_parsers(msub: argparse._SubParsersAction) -> None:
    """``models index`` and ``models fetch``: a mirror of installed models, and downloading from one (or the
    hub) through first-run setup's resumable, checksummed fetch."""
    m = msub.add_parser("index", help="write index.json listing installed models (files, sizes, sha256), so "
                        "that a folder or web server can serve them to `models fetch` and first-run setup")
    m.add_argument("folder", help="where index.json goes; models inside it are listed relative to it")
    m.add_argument("models", nargs="*", metavar="MODEL_ID", help="the models to list (default: every model "
                   "installed in FOLDER)")
    m.set_defaults(run=cmd_models_index)
    m = msub.add_parser("fetch", help="download a model from a model index (resumable, every file checked)")
    m.add_argument("model", help="a model id")
    m.add_argument("--index", metavar="SOURCE", help="a folder holding index.json, its path or address, or "
                   "'hub' (default: $PROMPTCUT_MODEL_INDEX, else the hub)")
    m.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    m.set_defaults(run=cmd_models_fetch)


def cmd_models_index(args: argparse.Namespace) -> int:
    from pathlib import Path

    from editor.setup.index import SetupError, installed_folders, write_index
    from generation.locate import find_model
    from generation.models import get_model

    folder = Path(args.folder)
    chosen = None
    if args.models:
        chosen = {}
        for model_id in args.models:
            model = get_model(model_id)
            inside = installed_folders(folder, [model.id]) if folder.is_dir() else {}
            local = inside.get(model.id) or _installed_path(find_model(model, build_test_models=False))
            if local is None:
                raise CliError(f"{model.id} is not installed: `promptcut models download {model.id}` first")
            chosen[model.id] = local
    try:
        path = write_index(folder, chosen)
    except SetupError as exc:
        raise CliError(str(exc)) from None
    print(path)
    return 0


def _installed_path(local):
    return None if local is None else local.path


def cmd_models_fetch(args: argparse.Namespace) -> int:
    from editor.setup.fetch import fetch_model
    from editor.setup.index import NoNetwork, SetupError, copy_in_instructions, load_index
    from generation.models import get_model
    from generation.paths import models_dir

    model = get_model(args.model)
    root = models_dir()
    reporter = _ProgressLine(quiet=args.quiet, label="fetching")

    def progress(p) -> None:
        reporter(_Fraction(p.done_bytes / p.total_bytes if p.total_bytes else 1.0, p.seconds_left))

    try:
        index = load_index(args.index)
        entry = index.entry(model.id)
        if entry is None:
            raise CliError(f"the model index {index.source} does not list {model.id}")
        # Ctrl+C stops between blocks: what arrived stays in the models folder's .partial, and running the
        # same command again resumes it.
        path = fetch_model(entry, root, progress=progress)
    except NoNetwork as exc:
        raise CliError(f"{exc}. {copy_in_instructions(model, root)}") from None
    except SetupError as exc:
        raise CliError(str(exc)) from None
    finally:
        reporter.finish()
    print(path)
    return 0
