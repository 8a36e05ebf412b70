"""A cast picture path the system cannot even look up (an unknown ~user, a name too long for the file
system, a NUL byte) is refused in one line naming the script line, never a traceback."""

from __future__ import annotations

import pytest

from editor.storyboard.script import ScriptError, parse_script


@pytest.mark.parametrize("picture", [
    "~nosuchuser-promptcut/ana.png",     # expanduser: RuntimeError / no such home
    "a" * 300 + ".png",                  # ENAMETOOLONG
    "ana\x00.png",                       # ValueError: embedded NUL
])
def test_a_picture_path_that_cannot_be_looked_up_is_one_line_naming_the_line(tmp_path, picture):
    with pytest.raises(ScriptError) as caught:
        parse_script(f"# cast\n@Ana: {picture}\nAna walks.", base_dir=tmp_path)
    message = str(caught.value)
    assert message.startswith("line 2:") and "Ana" in message
    assert "\n" not in message
