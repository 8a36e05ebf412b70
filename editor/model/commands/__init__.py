"""Edit commands: every change to a timeline is one of these, with an exact inverse.

    history = History(timeline)
    history.do(Insert("v1", clip, at=48))
    with history.group("Cut and move"):
        split = history.do(Split(clip.id, 60))
        history.do(Move(split.right_id, "v2", 100))
    history.undo()          # one step: the group

A refused edit raises EditError (one line, what and why) and leaves the timeline as it was.
"""

from editor.model.commands.base import Command, EditError, Plan
from editor.model.commands.dropping import clips_using, free_audio_track, place_media
from editor.model.commands.effects import AddTransition, SetSpeed, retimed_length
from editor.model.commands.history import Group, History, UndoStack
from editor.model.commands.linking import Link, Unlink, one_per_link
from editor.model.commands.placing import Delete, Insert, Move, Overwrite, Place, RippleDelete, Split
from editor.model.commands.properties import AddTake, RemoveTake, SetActiveTake, SetClipProperties
from editor.model.commands.structure import (
    AddMarker,
    AddMedia,
    AddTrack,
    EditMarker,
    MoveTrack,
    RemoveMarker,
    RemoveMedia,
    RemoveTrack,
    ReplaceMedia,
    SetMasterVolume,
    SetTrackFlags,
)
from editor.model.commands.trimming import RippleTrim, Roll, Slip, TrimHead, TrimTail

__all__ = [
    "AddTransition", "SetMasterVolume", "SetSpeed", "retimed_length",
    "AddMarker", "AddMedia", "AddTake", "AddTrack", "Command", "Delete", "EditError", "EditMarker", "Group",
    "History", "Insert", "Link", "Move", "MoveTrack", "Overwrite", "Place", "Plan", "RemoveMarker", "RemoveMedia",
    "RemoveTake", "RemoveTrack", "ReplaceMedia", "RippleDelete", "RippleTrim", "Roll", "SetActiveTake",
    "SetClipProperties", "SetTrackFlags", "Slip", "Split", "TrimHead", "TrimTail", "UndoStack", "Unlink",
    "clips_using", "free_audio_track", "one_per_link", "place_media",
]
