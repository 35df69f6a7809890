"""The CLI's rendering of reports and progress; no network."""

import io

from fleetsync.cli import _print_report, _ProgressBar

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


def test_table_lists_every_change_and_every_notice():
    out = io.StringIO()
    _print_report(REPORT, "table", out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["ACTION", "SECRET", "MEMBERSHIP", "SERVER", "LABELS", "CHANGED"]
    assert lines[1].split() == [
        "create",
        "a.us-central1.1",
        "us-central1/a",
        "https://x",
        "+env=prod",
    ]
    assert lines[2].split()[-1] == "-"
    assert "1 to create, 0 to update, 1 to delete, 3 unchanged (dry run)" in lines
    assert "conflicts: c.us-central1.1" in lines
    assert "refused: would delete 2 of 2 Secrets" in lines
    assert "warnings: label 'Bad' skipped" in lines


def test_progress_bar_fills_up():
    out = io.StringIO()
    bar = _ProgressBar(out, width=10)
    bar(5, 10)
    bar(10, 10)
    bar.finish()
    assert "[#####.....] 5/10 writes" in out.getvalue()
    assert out.getvalue().endswith("[##########] 10/10 writes\n")
