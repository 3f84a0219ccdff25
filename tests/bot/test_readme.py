"""README stays true: every command, option and setting the code has is documented there."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_cli_command_has_help_and_is_in_the_readme(name: str) -> None:
    sub = _subcommands()[name]
    assert sub.description, f"partnerbot {name} has no description"
    assert f"partnerbot {name}" in README
    for action in sub._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert flag in README, f"{flag} of partnerbot {name} is not in README"


def test_every_setting_read_from_the_environment_is_documented() -> None:
    source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env\.get\("([A-Z_]+)"', source))
    assert {"SLACK_BOT_TOKEN", "DATABASE_URL", "PORT"} <= names
    for name in names:
        assert f"`{name}`" in README, f"{name} is not documented in README"


def test_the_readme_commands_exist_and_ci_runs_the_readme_test_command() -> None:
    assert "./run" in README and "./test" in README
    for script in ("run", "test", ".ci/run"):
        assert (ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"
    assert re.search(r"^\./test\s*$", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)
