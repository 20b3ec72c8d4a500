"""The README documents every command and every setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotterel.cli import app
from dotterel.settings import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    head = README[:400]
    assert "make run" in head and "make test" in head


@pytest.mark.parametrize(
    "command", [c.name or c.callback.__name__ for c in app.registered_commands]
)  # type: ignore[union-attr]
def test_every_command_is_documented(command: str) -> None:
    assert f"dotterel {command}" in README


@pytest.mark.parametrize("setting", [s.name for s in SETTINGS])
def test_every_setting_is_documented(setting: str) -> None:
    assert f"| `{setting}` |" in README
