"""What the prompt box asks for, what a model can condition on, and what a generated segment is doing: the plain
data the shot queue (``editor.generate.shots``) and the window's widgets share."""

from __future__ import annotations

from dataclasses import dataclass

from generation.profiles import PROFILE_LABELS, PROFILES

LIVE = frozenset({"queued", "generating"})

# Why a ready shot is stale: its own spec was edited, or its neighbours changed under its conditioning frames.
STALE_PROMPT = "prompt"
STALE_NEIGHBOURS = "neighbours"
STALE_VOICE = "voice"   # a speech clip's voice (its own, or the storyboard's) is not the one its take speaks in


@dataclass(frozen=True)
class ShotStatus:
    """What a generated segment is doing, for its clip, the viewer card and the inspector.

    ``state``: ``queued``, ``generating``, ``ready``, ``stale`` (the prompt or settings changed since its take
    was made, or its neighbours did: ``message`` is then ``"neighbours"``; or a speech clip's voice did:
    ``"voice"``), ``failed``, ``cancelled`` or ``draft`` (never queued). ``fraction`` 0..1 and ``eta_s`` while
    generating; ``message`` one line (the failure's reason, the stage). ``profile``: the profile of the take
    that plays ("draft", "standard", "final"; "" when none plays)."""

    state: str
    fraction: float = 0.0
    eta_s: float | None = None
    message: str = ""
    job_id: str | None = None
    preview: str | None = None   # the latest live preview picture (a JPEG path) while generating
    profile: str = ""

    @property
    def can_retry(self) -> bool:
        """Failed, cancelled, or never queued (a draft): Retry / Generate applies."""
        return self.state in ("failed", "cancelled", "draft")

    @property
    def live(self) -> bool:
        return self.state in LIVE

    @property
    def can_promote(self) -> bool:
        """A draft take plays and nothing is being made for the clip: Promote to Final applies."""
        return self.profile == "draft" and self.state in ("ready", "stale")

    def text(self) -> str:
        """One line for a clip or a card: "Generating 42% · 0:12 left", "Failed: out of memory", ..."""
        if self.state == "generating":
            left = "" if self.eta_s is None else f" · {_clock(self.eta_s)} left"
            return f"Generating {round(self.fraction * 100)}%{left}"
        if self.state == "failed":
            return f"Failed: {self.message}" if self.message else "Failed"
        if self.state == "stale":
            why = {STALE_NEIGHBOURS: "Neighbours", STALE_VOICE: "Voice"}.get(self.message, "Prompt")
            return f"{why} changed: regenerate?"
        return {"queued": "Queued", "ready": "Ready", "cancelled": "Cancelled",
                "draft": "Not generated yet"}.get(self.state, self.state)


@dataclass(frozen=True)
class ShotOptions:
    """What the prompt box asks for. ``seed`` None: a random one (recorded, so it is always shown).
    ``profile``: "draft", "standard" or "final"; "" takes the model's default (``default_profile``)."""

    prompt: str
    model: str | None = None
    seed: int | None = None
    steps: int | None = None
    negative_prompt: str = ""
    continue_previous: bool = True
    land_on_next: bool = True
    profile: str = ""
    match_colors: bool = False


@dataclass(frozen=True)
class Conditioning:
    """Whether a model can continue from the previous clip / land on the next one, and if not, why not."""

    continue_ok: bool
    land_ok: bool
    continue_reason: str = ""
    land_reason: str = ""


def conditioning_for(model_id: str) -> Conditioning:
    """What ``model_id`` can continue from and land on (with the reason where it cannot)."""
    from generation.models import Ability, get_model

    try:
        model = get_model(model_id)
    except Exception as exc:   # noqa: BLE001 - an unknown id: nothing can be offered
        return Conditioning(False, False, str(exc), str(exc))
    cont = model.can(Ability.IMAGE_TO_VIDEO) or model.can(Ability.KEYFRAMES) or model.can(Ability.FIRST_LAST_FRAME)
    land = model.can(Ability.FIRST_LAST_FRAME) or model.can(Ability.KEYFRAMES)
    return Conditioning(cont, land,
                        "" if cont else f"{model.display_name} makes shots from text only",
                        "" if land else f"{model.display_name} cannot end on a given frame")


def profile_for(model_id: str, asked: str = "") -> str:
    """The profile a new shot records: the one asked for, else the model's default (a draft where one is fast)."""
    if asked in PROFILES:
        return asked
    from generation.models import get_model
    from generation.profiles import default_profile

    try:
        return default_profile(get_model(model_id))
    except Exception:   # noqa: BLE001 - an unknown model: the plan will say so; the full recipe meanwhile
        return "final"


def profile_label(profile: str) -> str:
    """"Draft", "Standard", "Final" ("" reads as Final: projects made before profiles)."""
    return PROFILE_LABELS.get(profile or "final", profile)


def _clock(seconds: float) -> str:
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"
