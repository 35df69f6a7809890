"""The CLI's rendering of reports and progress; no network."""

import fcntl
import io
import os
import pty
import select
import struct
import termios

from fleetsync_cli.output import ProgressBar, print_report, terminal_columns

REPORT = {
    "created": ["a.us-central1.1"],
    "updated": [],
    "deleted": ["b.us-central1.1"],
    "unchanged": 3,
    "conflicts": ["c.us-central1.1"],
    "errors": [],
    "dry_run": True,
    "held": [],
    "deletes_withheld": [],
    "unreachable": [],
    "refused": "would delete 2 of 2 Secrets",
    "warnings": ["label 'Bad' skipped"],
    "changes": [
        {
            "action": "create",
            "secret": "a.us-central1.1",
            "membership": "us-central1/a",
            "server": "https://x",
            "labels_changed": ["+env=prod"],
        },
        {
            "action": "delete",
            "secret": "b.us-central1.1",
            "membership": "us-central1/b",
            "server": "https://y",
            "labels_changed": [],
        },
    ],
}


def render(report, **options):
    out = io.StringIO()
    print_report(report, out, **options)
    return out.getvalue().splitlines()


def test_problems_first_then_a_table_then_one_summary_line():
    lines = render(REPORT)
    assert lines[0] == "refused: would delete 2 of 2 Secrets; repeat with --force to go ahead"
    assert lines[1] == "conflicts: c.us-central1.1"
    assert "warnings: label 'Bad' skipped" in lines
    header = lines.index(next(line for line in lines if line.startswith("ACTION")))
    assert lines[header].split() == ["ACTION", "MEMBERSHIP", "LABELS", "CHANGED"]
    assert lines[header + 1].split() == ["create", "us-central1/a", "+env=prod"]
    assert lines[-1] == (
        "create 1, update 0, delete 1, unchanged 3; 1 conflicts (dry run: nothing written)"
    )


def test_rows_fit_100_columns_and_wide_shows_everything():
    long = {
        **REPORT,
        "changes": [
            {
                "action": "update",
                "secret": "m.us-central1.1",
                "membership": "us-central1/m",
                "server": "https://us-central1-connectgateway.googleapis.com/v1/projects/1/x",
                "labels_changed": [
                    "+fleet-argocd-sync.io/platform=gke",
                    "+scope.fleet-argocd-sync.io/team-a=true",
                    *[f"+label-{i}=value-{i}" for i in range(20)],
                ],
            }
        ],
    }
    narrow = render(long)
    assert all(len(line) <= 100 for line in narrow if not line.startswith(("refused", "warn")))
    row = next(line for line in narrow if line.startswith("update"))
    assert "+label-0=value-0" in row and "platform" not in row and row.endswith("...")
    wide = render(long, wide=True)
    row = next(line for line in wide if line.startswith("update"))
    assert "https://us-central1-connectgateway" in row and "m.us-central1.1" in row
    # the membership's own labels, then scopes, then ours
    assert row.index("+label-19") < row.index("+scope.") < row.index("+fleet-argocd-sync.io/")


def test_a_long_resync_shows_its_first_rows():
    many = {**REPORT, "changes": REPORT["changes"] * 15}
    lines = render(many, max_rows=20)
    assert len([line for line in lines if "  us-central1/" in line]) == 20
    assert "... and 10 more (--all shows every row)" in lines


def _last_drawn(out: io.StringIO) -> str:
    """What the terminal shows last: the text after the last carriage return."""
    return out.getvalue().rsplit("\r", 1)[-1]


def test_progress_bar_counts_writes_and_says_when_paced():
    out = io.StringIO()
    bar = ProgressBar(out)
    bar(5, 10)
    bar(10, 10, 12.0)
    bar.finish()
    shown = _last_drawn(out)
    assert "10/10" in shown and "write" in shown
    assert "write budget: waited 12 s" in shown
    assert shown.endswith("\n")


def test_the_next_target_of_a_resync_starts_the_bar_again():
    out = io.StringIO()
    bar = ProgressBar(out)
    bar(4, 4)
    bar(1, 3)
    bar(3, 3)
    bar.finish()
    assert "3/3" in _last_drawn(out) and "4/4" not in _last_drawn(out)


def test_a_terminal_that_reports_no_size_still_gets_the_bar():
    """An unsized pseudo-terminal (0 x 0, as CI runners give) must not hide the bar."""
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 0, 0, 0, 0))
    with os.fdopen(side, "w", encoding="utf-8") as terminal:
        bar = ProgressBar(terminal)
        bar(7, 7)
        bar.finish()
    shown = b""
    while select.select([main], [], [], 0.5)[0]:
        try:
            shown += os.read(main, 65536)
        except OSError:  # the other side closed: all of it was read
            break
    os.close(main)
    assert "7/7 writes" in shown.decode("utf-8").rsplit("\r", 2)[-2]


def test_a_stream_that_is_no_terminal_counts_as_80_columns():
    assert terminal_columns(io.StringIO()) == 80


def test_a_progress_bar_that_never_drew_adds_no_blank_line():
    out = io.StringIO()
    ProgressBar(out).finish()
    assert out.getvalue() == ""


def test_a_resync_that_fails_ends_the_bar_before_the_error_is_told(monkeypatch):
    """The error then starts on a line of its own, and the bar is not drawn again later."""
    import argparse
    import sys
    from types import SimpleNamespace

    import pytest

    from fleetsync_cli import commands

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    class Failing:
        def resync(self, *, dry_run, force, progress):
            progress(3, 10)
            raise RuntimeError("boom")

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(commands, "_sync", lambda settings: Failing())
    args = argparse.Namespace(membership=None, force=False)
    with pytest.raises(RuntimeError) as raised:
        commands.resync(SimpleNamespace(dry_run=False), args, io.StringIO())
    # `raised` keeps the failed frame, and its bar, alive: ended by then, or never.
    assert raised.value.args == ("boom",)
    assert "3/10 writes" in terminal.getvalue() and terminal.getvalue().endswith("\n")
