"""Print the explorer's figures (schedules per scenario) at the end of every test run."""

from __future__ import annotations

from typing import Any

EXPLORED: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if EXPLORED:
        terminalreporter.section("interleavings explored")
        for line in EXPLORED:
            terminalreporter.write_line(line)
