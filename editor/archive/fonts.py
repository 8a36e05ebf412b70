"""The font files a project's titles and captions are drawn with, and the licences that must travel with them.

The text engine (``editor.render.text``) draws each run of a title in the first font of its style's chain
(the family, then Noto Sans, Noto Sans Arabic, Noto Sans Hebrew, Twemoji) that covers it; an archive carries
exactly the files that choice picks for the project's text, so a title reopens drawn the same, plus the
licence file of each font family (the SIL OFL and CC BY ask for it to accompany the fonts).
"""

from __future__ import annotations

from pathlib import Path

from editor.model import TextClip, Timeline
from editor.render import text as engine

# Font file name prefix -> its licence file in the shipped fonts folder (assets/fonts/README.md).
_LICENCES = (("Inter", "LICENSE-Inter.txt"), ("Noto", "LICENSE-Noto.txt"), ("Twemoji", "LICENSE-TwemojiMozilla.txt"))


def font_names(timeline: Timeline) -> list[str]:
    """The shipped font files (by name) the engine draws the project's text clips with, in first-use order."""
    names: dict[str, None] = {}
    for _, clip in timeline.clips():
        if not isinstance(clip, TextClip) or not clip.text.strip():
            continue
        # The engine's own choice (its chain and runs), so the archive holds what the renderer really opens.
        chain = engine._chain(clip.style)
        for line in clip.text.split("\n"):
            for run in engine._font_runs(line, chain):
                if run.text.strip():
                    names.setdefault(run.font, None)
    return list(names)


def font_files(timeline: Timeline) -> list[Path]:
    """The font files of :func:`font_names` and their licence files, as paths in the shipped fonts folder.
    FileNotFoundError when PromptCut's fonts are missing (``editor.render.text.font_dir``)."""
    names = font_names(timeline)
    if not names:
        return []
    folder = engine.font_dir()
    licences = dict.fromkeys(licence for name in names for prefix, licence in _LICENCES if name.startswith(prefix))
    return [folder / name for name in [*names, *licences]]
