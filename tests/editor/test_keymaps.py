"""The keyboard layouts as data: every action in every layout, no key on two actions, PromptCut's own layout the
keys the window always had."""

from __future__ import annotations

import pytest

from editor import keymaps

# The window's keys before layouts existed (editor/ui/window_actions.py's inline shortcuts): PromptCut's layout
# must keep them exactly.
BEFORE_LAYOUTS = {
    "new": ("Ctrl+N",), "open": ("Ctrl+O",), "save": ("Ctrl+S",), "save_as": ("Ctrl+Shift+S",),
    "import": ("Ctrl+I",), "import_timeline": ("Ctrl+Shift+I",), "export": ("Ctrl+M",),
    "export_timeline": ("Ctrl+Shift+E",), "quit": ("Ctrl+Q",),
    "undo": ("Ctrl+Z",), "redo": ("Ctrl+Shift+Z", "Ctrl+Y"), "split": ("S", "Ctrl+K", "Ctrl+B"),
    "cut": ("Ctrl+X",), "copy": ("Ctrl+C",), "paste": ("Ctrl+V",), "delete": ("Delete", "Backspace"),
    "ripple_delete": ("Shift+Delete", "Shift+Backspace"), "enable_clips": ("Shift+E",), "select_all": ("Ctrl+A",),
    "snap": ("N",), "mark_in": ("I",), "mark_out": ("O",), "add_marker": ("M",), "remove_marker": ("Ctrl+Shift+M",),
    "zoom_in": ("+", "=", "Shift++", "Ctrl+="), "zoom_out": ("-", "Ctrl+-"), "zoom_fit": ("Shift+Z",),
    "add_title": ("T",),
    "play": ("Space",), "reverse": ("J",), "stop": ("K",), "forward": ("L",), "loop": ("Ctrl+L",),
    "mute_preview": ("Shift+M",), "prev_frame": ("Left",), "next_frame": ("Right",), "prev_edit": ("Up",),
    "next_edit": ("Down",), "home": ("Home",), "end": ("End",),
    "generate": ("G",), "regenerate": ("Ctrl+R",), "queue_panel": ("Ctrl+Shift+Q",), "shortcuts": ("F1",),
}


def test_every_action_is_listed_once_with_keys_or_none_in_every_layout():
    names = [a.name for a in keymaps.ACTIONS]
    assert len(names) == len(set(names))
    for action in keymaps.ACTIONS:
        assert set(action.keys) == set(keymaps.LAYOUTS), action.name
        assert action.menu and action.label
    for name in keymaps.LAYOUTS:
        assert list(keymaps.layout(name)) == names


@pytest.mark.parametrize("name", keymaps.LAYOUTS)
def test_no_layout_gives_one_key_to_two_actions(name):
    assert keymaps.conflicts(keymaps.layout(name)) == []


def test_conflicts_finds_the_same_key_however_it_is_spelt():
    found = keymaps.conflicts({"split": ("Ctrl+K",), "link": ("ctrl+k", "L"), "loop": ("Shift+Ctrl+L", "L"),
                               "other": ("Ctrl+Shift+L",)})
    assert found == [("Ctrl+K", "split", "link"), ("L", "link", "loop"), ("Ctrl+Shift+L", "loop", "other")]


def test_promptcut_is_the_keys_the_window_always_had():
    bound = {name: keys for name, keys in keymaps.layout(keymaps.PROMPTCUT).items() if keys}
    assert bound == BEFORE_LAYOUTS


def test_premiere_uses_premieres_keys_for_the_actions_it_has():
    premiere = keymaps.layout(keymaps.PREMIERE)
    assert premiere["split"] == ("Ctrl+K",)
    assert premiere["link"] == ("Ctrl+L",) and premiere["loop"] == ()      # Ctrl+L links there; loop has no key
    assert premiere["snap"] == ("S",)
    assert (premiere["zoom_in"], premiere["zoom_out"], premiere["zoom_fit"]) == (("=",), ("-",), ("\\",))
    assert premiere["ripple_delete"][0] == "Shift+Delete" and premiere["enable_clips"] == ("Shift+E",)
    assert premiere["new"] == ("Ctrl+Alt+N",) and premiere["export"] == ("Ctrl+M",)
    assert premiere["generate"] == ("G",)                                  # PromptCut's own where Premiere has none


def test_capcut_uses_capcuts_keys_for_the_actions_it_has():
    capcut = keymaps.layout(keymaps.CAPCUT)
    assert capcut["split"] == ("Ctrl+B",)
    assert capcut["zoom_in"][0] == "Ctrl+=" and capcut["zoom_out"] == ("Ctrl+-",)
    assert capcut["zoom_fit"] == ("Shift+Z",) and capcut["snap"] == ("N",) and capcut["add_marker"] == ("M",)
    assert capcut["export"] == ("Ctrl+E",) and capcut["import"] == ("Ctrl+I",)
    assert capcut["undo"] == ("Ctrl+Z",) and capcut["redo"] == ("Ctrl+Shift+Z",)


def test_keys_spelt_one_way():
    assert keymaps.normalized("shift+ctrl+z") == "Ctrl+Shift+Z"
    assert keymaps.normalized("Control+k") == "Ctrl+K"
    assert keymaps.normalized("+") == "+"
    assert keymaps.normalized("Shift++") == "Shift++"
    assert keymaps.normalized("\\") == "\\"
    with pytest.raises(ValueError, match="not a key"):
        keymaps.normalized("Hyper+K")


def test_a_stored_layout_name_is_checked():
    assert keymaps.find_layout("premiere") == "premiere"
    assert keymaps.find_layout("avid") is None
    assert keymaps.find_layout(3) is None
    assert keymaps.keys_for(keymaps.CAPCUT, "title_Lower third") == ()


def test_the_summary_lists_keys_then_the_mouse():
    rows = keymaps.summary(keymaps.PREMIERE)
    assert ("Ctrl+K", "Split at the playhead") in rows
    assert rows[-len(keymaps.GESTURES):] == list(keymaps.GESTURES)
    assert all(keys for keys, _ in rows)
