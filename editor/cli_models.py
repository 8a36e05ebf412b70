"""`promptcut models list | download | path`: the video, voice, sound and speech-to-text models the generator
can use, where they are, and fetching them. Like the rest of the CLI, each command imports what it needs."""

from __future__ import annotations

import argparse

from editor.cli_support import _Fraction, _ProgressLine


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
