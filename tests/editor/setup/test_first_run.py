"""Whether the person has been offered setup: setup.json in the user config folder."""

from __future__ import annotations

import pytest

from editor.setup.first_run import record_setup, setup_path, setup_state


def test_new_until_recorded_then_what_was_recorded():
    assert setup_state() == "new" and not setup_path().exists()
    record_setup("skipped")
    assert setup_state() == "skipped"
    record_setup("done")
    assert setup_state() == "done"
    assert [p.name for p in setup_path().parent.iterdir()] == ["setup.json"]   # no temporaries left


@pytest.mark.parametrize("content", [b"", b"{", b"\xff", b"[]", b'{"state": "maybe"}', b'{"state": 3}'])
def test_an_unreadable_file_is_new(content):
    setup_path().parent.mkdir(parents=True, exist_ok=True)
    setup_path().write_bytes(content)
    assert setup_state() == "new"


def test_a_folder_in_its_place_is_new():
    setup_path().mkdir(parents=True)
    assert setup_state() == "new"


def test_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="setup state"):
        record_setup("later")  # type: ignore[arg-type]
    assert setup_state() == "new"
