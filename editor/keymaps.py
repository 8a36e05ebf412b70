"""Keyboard layouts: which keys run which of the window's actions, as PromptCut, Premiere Pro or CapCut has them.

Plain data (no Qt). Key texts are Qt's portable names ("Ctrl+Shift+Z", "Delete", "\\"), Windows/Linux modifiers.
Every action the window builds has a row in ``ACTIONS`` with its keys in each layout, an empty tuple where a layout
has none. Where Premiere Pro or CapCut has an action of ours, the layout uses their default key; actions they have
not got (generating shots, the queue, loop and mute of the preview...) keep PromptCut's keys unless the layout gives
those keys to another action. The Title Presets submenu's entries (``title_<preset>``) have no keys anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ACTIONS", "DEFAULT", "GESTURES", "LAYOUT_TITLES", "LAYOUTS", "Action", "conflicts", "find_layout",
           "keys_for", "layout", "normalized", "summary"]

PROMPTCUT, PREMIERE, CAPCUT = "promptcut", "premiere", "capcut"
DEFAULT = PROMPTCUT
LAYOUTS = (PROMPTCUT, PREMIERE, CAPCUT)
LAYOUT_TITLES = {PROMPTCUT: "PromptCut", PREMIERE: "Premiere Pro", CAPCUT: "CapCut"}

Keys = tuple[str, ...]


@dataclass(frozen=True)
class Action:
    """One of the window's actions: its name in ``actions_by_name``, the menu it sits in, what it does, and its keys
    in each layout."""

    name: str
    menu: str
    label: str
    keys: dict[str, Keys]


def _row(name: str, menu: str, label: str, promptcut: Keys = (), premiere: Keys = (), capcut: Keys = ()) -> Action:
    return Action(name, menu, label, {PROMPTCUT: promptcut, PREMIERE: premiere, CAPCUT: capcut})


def _same(name: str, menu: str, label: str, keys: Keys = ()) -> Action:
    """An action whose keys are the same in every layout (or that has none)."""
    return _row(name, menu, label, keys, keys, keys)


F, E, V, T, TR, P, G, S, H = "File", "Edit", "View", "Titles", "Track", "Playback", "Generate", "Story", "Help"

ACTIONS: tuple[Action, ...] = (
    _row("new", F, "New project", ("Ctrl+N",), ("Ctrl+Alt+N",), ("Ctrl+N",)),
    _same("demo", F, "New demo project"),
    _same("new_from_script", F, "New project from a script"),
    _same("open", F, "Open a project", ("Ctrl+O",)),
    _same("save", F, "Save", ("Ctrl+S",)),
    _same("save_as", F, "Save as", ("Ctrl+Shift+S",)),
    _same("import", F, "Import media", ("Ctrl+I",)),
    _same("relink", F, "Relink offline media"),
    _same("import_captions", F, "Import captions (.srt, .vtt)"),
    _same("import_timeline", F, "Import another editor's timeline", ("Ctrl+Shift+I",)),
    _row("export", F, "Export the video", ("Ctrl+M",), ("Ctrl+M",), ("Ctrl+E",)),
    _same("export_timeline", F, "Export the timeline for another editor", ("Ctrl+Shift+E",)),
    _same("collect", F, "Collect the project into one folder"),
    _same("archive", F, "Archive the project"),
    _same("quit", F, "Quit", ("Ctrl+Q",)),

    _same("undo", E, "Undo", ("Ctrl+Z",)),
    _row("redo", E, "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), ("Ctrl+Shift+Z",), ("Ctrl+Shift+Z",)),
    _row("split", E, "Split at the playhead", ("S", "Ctrl+K", "Ctrl+B"), ("Ctrl+K",), ("Ctrl+B",)),
    _same("cut", E, "Cut", ("Ctrl+X",)),
    _same("copy", E, "Copy", ("Ctrl+C",)),
    _same("paste", E, "Paste at the playhead", ("Ctrl+V",)),
    _same("delete", E, "Delete (leave a gap)", ("Delete", "Backspace")),
    _row("ripple_delete", E, "Ripple delete (close the gap)", ("Shift+Delete", "Shift+Backspace"),
         ("Shift+Delete", "Alt+Backspace"), ("Shift+Delete", "Shift+Backspace")),
    _row("enable_clips", E, "Enable / disable the selected clips", ("Shift+E",), ("Shift+E",), ("V",)),
    _row("link", E, "Link / unlink the selected clips", (), ("Ctrl+L",), ()),
    _same("drop_trailing_gap", E, "Remove the trailing gap"),
    _same("select_all", E, "Select all", ("Ctrl+A",)),
    _row("snap", E, "Snapping on / off", ("N",), ("S",), ("N",)),
    _same("mark_in", E, "Mark in", ("I",)),
    _same("mark_out", E, "Mark out", ("O",)),
    _same("add_marker", E, "Add a marker at the playhead", ("M",)),
    _row("remove_marker", E, "Delete the marker at the playhead", ("Ctrl+Shift+M",), ("Ctrl+Alt+M",),
         ("Ctrl+Shift+M",)),

    _row("zoom_in", V, "Zoom in", ("+", "=", "Shift++", "Ctrl+="), ("=",), ("Ctrl+=", "Ctrl++")),
    _row("zoom_out", V, "Zoom out", ("-", "Ctrl+-"), ("-",), ("Ctrl+-",)),
    _row("zoom_fit", V, "Zoom to fit", ("Shift+Z",), ("\\",), ("Shift+Z",)),
    _same("safe_zones", V, "Safe zones on / off"),
    _same("captions_panel", V, "Captions panel"),
    _same("storyboard_panel", V, "Storyboard panel"),

    _row("add_title", T, "Add a title at the playhead", ("T",), ("Ctrl+T",), ("T",)),
    _same("import_captions_titles", T, "Import captions (.srt, .vtt)"),

    _same("solo_track", TR, "Solo the track"),
    _same("master_volume", TR, "Master volume"),

    _same("play", P, "Play / pause", ("Space",)),
    _same("reverse", P, "Play backwards (press again: faster)", ("J",)),
    _same("stop", P, "Stop", ("K",)),
    _same("forward", P, "Play forwards (press again: faster)", ("L",)),
    _row("loop", P, "Loop over In/Out while playing", ("Ctrl+L",), (), ("Ctrl+L",)),
    _same("mute_preview", P, "Mute the preview", ("Shift+M",)),
    _same("prev_frame", P, "One frame back", ("Left",)),
    _same("next_frame", P, "One frame forward", ("Right",)),
    _same("prev_edit", P, "Previous edit point", ("Up",)),
    _same("next_edit", P, "Next edit point", ("Down",)),
    _same("home", P, "Start of the timeline", ("Home",)),
    _same("end", P, "End of the timeline", ("End",)),

    _same("generate", G, "Generate a shot (over the gap, the marked range, or at the playhead)", ("G",)),
    _same("fill_track", G, "Fill the gaps on a track"),
    _same("fill_all", G, "Fill the gaps in the picture"),
    _same("regenerate", G, "Regenerate the selected shot with a new seed", ("Ctrl+R",)),
    _same("variations", G, "Variations of the selected shot (4 seeds)"),
    _same("promote", G, "Promote the selected draft to final (same seed)"),
    _same("queue_panel", G, "Generator queue", ("Ctrl+Shift+Q",)),
    _same("setup_generation", G, "Set up generation (models for this GPU)"),
    _same("models", G, "Models and settings"),

    _same("storyboard_from_script", S, "Storyboard from a script"),
    _same("show_storyboard", S, "Show the storyboard"),
    _same("cast", S, "Cast"),
    _same("generate_storyboard", S, "Generate all cards"),
    _same("fit_to_narration", S, "Fit shots to the narration"),

    _same("getting_started", H, "Getting started"),
    _row("shortcuts", H, "Keyboard shortcuts (this list)", ("F1",), ("F1", "Ctrl+Alt+K"), ("F1",)),
    _same("report_problem", H, "Report a problem"),
    _same("about", H, "About PromptCut"),
)

# What the mouse does: the same in every layout.
GESTURES: tuple[tuple[str, str], ...] = (
    ("Alt+drag an edge", "Ripple trim"),
    ("Shift/Ctrl+click, drag on empty space", "Add to the selection, rubber band"),
    ("Ctrl+drag from the bin", "Insert instead of overwrite"),
    ("Double-click a gap", "Generate a shot over it"),
    ("Right-click a gap", "Close the gap, generate a shot, fill gaps"),
    ("Right-click a track header", "Add or delete tracks"),
    ("Right-click a clip", "Cut, copy, enable, link, speed, transitions, fades"),
    ("Double-click a marker", "Rename it"),
    ("Double-click a title in the viewer", "Edit its text in place"),
    ("Drag a selected title or clip in the viewer", "Move it"),
)

_BY_NAME = {a.name: a for a in ACTIONS}
_MODIFIERS = ("ctrl", "alt", "shift", "meta")


def find_layout(name: object) -> str | None:
    """``name`` when it is one of ``LAYOUTS`` (a stored setting may be anything), else None."""
    return name if isinstance(name, str) and name in LAYOUTS else None


def keys_for(layout_name: str, action: str) -> Keys:
    """The keys of ``action`` in the layout (none for an action the layouts do not list, like a title preset)."""
    found = _BY_NAME.get(action)
    return found.keys[layout_name] if found is not None else ()


def layout(layout_name: str) -> dict[str, Keys]:
    """Every action's keys in the layout, by action name."""
    return {a.name: a.keys[layout_name] for a in ACTIONS}


def normalized(key: str) -> str:
    """``key`` in one spelling, so that "shift+ctrl+z" and "Ctrl+Shift+Z" compare equal: the modifiers in a fixed
    order, then the key in upper case. "+" alone, or last after a modifier ("Shift++"), is the plus key."""
    text = key.strip()
    if text.endswith("++"):
        head, last = text[:-2], "+"
    elif text == "+":
        head, last = "", "+"
    else:
        head, _, last = text.rpartition("+")
    mods = {m.strip().lower() for m in head.split("+") if m.strip()}
    mods = {"ctrl" if m == "control" else m for m in mods}
    unknown = mods.difference(_MODIFIERS)
    if unknown or not last:
        raise ValueError(f"not a key: {key!r}")
    return "+".join([m.capitalize() for m in _MODIFIERS if m in mods] + [last.upper()])


def conflicts(bindings: Mapping[str, Keys]) -> list[tuple[str, str, str]]:
    """Keys that ``bindings`` (action name -> keys, as ``layout`` gives) gives to two actions: (key, first action,
    second action) for each, in the order found; empty when none."""
    owner: dict[str, str] = {}
    found: list[tuple[str, str, str]] = []
    for name, keys in bindings.items():
        for key in dict.fromkeys(normalized(k) for k in keys):
            if key in owner:
                found.append((key, owner[key], name))
            else:
                owner[key] = name
    return found


def summary(layout_name: str) -> list[tuple[str, str]]:
    """(keys, what they do) for each action with keys in the layout, then the mouse gestures: a plain list for
    a text page."""
    rows = [(", ".join(a.keys[layout_name]), a.label) for a in ACTIONS if a.keys[layout_name]]
    return rows + list(GESTURES)
