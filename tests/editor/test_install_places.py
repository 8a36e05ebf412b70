"""Where an installed PromptCut finds its theme, icons and fonts: the checkout, a bundle, the prefix, the user
scheme (``pip install --user``) and the install scheme's data folder, one lookup for all three."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from editor.install_places import SHARE, data_bases, data_places


def lay_out(base: Path) -> Path:
    """The data files as a wheel's data-files rules put them under ``base``."""
    share = base / SHARE
    (share / "icons").mkdir(parents=True)
    (share / "fonts").mkdir()
    (share / "style.qss").write_text("QWidget {}", encoding="utf-8")
    return share


def first(kind: str, **bases: object) -> Path | None:
    return next((p for p in data_places(kind, **bases) if p.exists()), None)


def test_the_order_is_checkout_bundle_prefix_user_scheme(tmp_path):
    places = data_bases(checkout=tmp_path / "assets", frozen=str(tmp_path / "bundle"), prefix=str(tmp_path / "venv"),
                        user_base=str(tmp_path / "user"), scheme_data=str(tmp_path / "scheme"))
    assert places == [tmp_path / "assets", tmp_path / "bundle" / SHARE, tmp_path / "venv" / SHARE,
                      tmp_path / "user" / SHARE, tmp_path / "scheme" / SHARE]


def test_a_place_named_twice_is_tried_once(tmp_path):
    # In a venv the scheme's data folder is the prefix itself.
    places = data_bases(checkout=None, frozen=None, prefix=str(tmp_path), user_base=None, scheme_data=str(tmp_path))
    assert places == [tmp_path / SHARE]


def test_a_pip_install_user_layout_is_found_when_the_prefix_has_nothing(tmp_path):
    user = tmp_path / "userbase"
    share = lay_out(user)
    bases = dict(checkout=None, frozen=None, prefix=str(tmp_path / "empty-prefix"), user_base=str(user),
                 scheme_data=str(tmp_path / "empty-scheme"))
    assert first("style.qss", **bases) == share / "style.qss"
    assert first("icons", **bases) == share / "icons"
    assert first("fonts", **bases) == share / "fonts"


def test_a_frozen_bundle_layout_is_found(tmp_path):
    share = lay_out(tmp_path / "bundle")
    assert first("icons", checkout=None, frozen=str(tmp_path / "bundle"), prefix=str(tmp_path / "nothing"),
                 user_base=None, scheme_data=None) == share / "icons"


def test_the_interpreter_s_user_base_is_asked(tmp_path):
    # The real site module of a fresh interpreter, told its user base the way pip's --user is.
    user = tmp_path / "userbase"
    lay_out(user)
    code = ("import json; from editor.install_places import data_places; "
            "print(json.dumps([str(p) for p in data_places('style.qss')]))")
    env = {**os.environ, "PYTHONUSERBASE": str(user)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                          check=True)
    places = [Path(p) for p in json.loads(done.stdout)]
    assert user / SHARE / "style.qss" in places
    assert places.index(user / SHARE / "style.qss") > places.index(Path(sys.prefix) / SHARE / "style.qss")


def test_the_stylesheet_icons_and_fonts_read_one_lookup():
    pytest.importorskip("PySide6")
    from editor.render.text import _font_dir_candidates
    from editor.ui.app import STYLE_PLACES
    from editor.ui.icons import ICON_PLACES

    assert list(STYLE_PLACES) == data_places("style.qss")
    assert list(ICON_PLACES) == data_places("icons")
    assert _font_dir_candidates() == data_places("fonts")


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="no data file kind"):
        data_places("sounds")
