"""The storyboard room: from a script to a cut. Pure Python (no Qt): parsing scripts (``script``), building the
storyboard's tracks and clips (``build``), the cards derived from the timeline (``cards``), how the cast
conditions the video model (``cast``) and card edits as undoable commands (``edits``).

Depends on ``editor.model`` and the plain registries of ``generation`` (video models, voices) only.
"""

from editor.storyboard.build import build_storyboard, estimate_seconds
from editor.storyboard.cards import Card, cards, chained_first, shot_prompt
from editor.storyboard.cast import CastConditioning, cast_conditioning
from editor.storyboard.edits import (
    KEEP,
    add_cast,
    edit_card,
    edit_cast,
    fit_to_narration,
    generate,
    merge_cards,
    move_card,
    remove_card,
    remove_cast,
    set_board,
    split_card,
)
from editor.storyboard.script import Script, ScriptCast, ScriptError, ScriptLine, parse_script

__all__ = [
    "KEEP", "Card", "CastConditioning", "Script", "ScriptCast", "ScriptError", "ScriptLine", "add_cast",
    "build_storyboard", "cards", "cast_conditioning", "chained_first", "edit_card", "edit_cast",
    "estimate_seconds", "fit_to_narration", "generate", "merge_cards", "move_card", "parse_script", "remove_card",
    "remove_cast", "set_board", "shot_prompt", "split_card",
]
