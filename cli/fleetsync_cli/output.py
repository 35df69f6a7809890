"""How the CLI shows a report: problems first, a table that fits 100 columns, one summary line.

Plan and resync speak one vocabulary (create, update, delete, unchanged); a dry run says so.
`--wide` shows Secret names, servers and every label; `--all` every row of a long resync.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

WIDTH = 100
RESYNC_ROWS = 20  # a resync shows this many rows unless --all
SCOPE_PREFIX = "scope.fleet-argocd-sync.io/"
INTERNAL_PREFIXES = ("fleet-argocd-sync.io/", "argocd.argoproj.io/", "app.kubernetes.io/managed-by")
_ACTIONS = ("create", "update", "delete")
PROBLEMS = ("refused", "unreachable", "conflicts", "errors", "deletes_withheld")
NOTES = ("held", "scopes_kept", "orphaned", "left", "warnings")


def print_report(
    report: dict[str, Any],
    out: TextIO,
    *,
    output: str = "table",
    wide: bool = False,
    max_rows: int | None = None,
) -> None:
    if output == "json":
        json.dump(report, out, indent=2)
        out.write("\n")
        return
    for line in problems(report) + notes(report):
        out.write(line + "\n")
    rows = report["changes"]
    shown = rows if max_rows is None else rows[:max_rows]
    if shown:
        out.write(table(shown, wide))
    if len(shown) < len(rows):
        out.write(f"... and {len(rows) - len(shown)} more (--all shows every row)\n")
    projects = report.get("app_projects") or []
    if projects:
        out.write(project_table(projects))
    for name, each in (report.get("targets") or {}).items():
        failed = " (failed: see errors)" if name in report.get("failed_targets", []) else ""
        out.write(f"target {name}: {summary(each)}{failed}\n")
    out.write(summary(report) + "\n")


def summary(report: dict[str, Any]) -> str:
    counts = (
        f"create {len(report['created'])}, update {len(report['updated'])}, "
        f"delete {len(report['deleted'])}, unchanged {report['unchanged']}"
    )
    pending = []
    if report["deletes_withheld"]:
        pending.append(f"{len(report['deletes_withheld'])} deletes withheld")
    if report["conflicts"]:
        pending.append(f"{len(report['conflicts'])} conflicts")
    tail = f"; {', '.join(pending)}" if pending else ""
    if "app_projects" in report:
        actions = [p if isinstance(p, str) else f"{p['action']} " for p in report["app_projects"]]
        count = {a: sum(1 for p in actions if p.startswith(a + " ")) for a in _ACTIONS}
        tail += "; AppProjects " + ", ".join(f"{a} {n}" for a, n in count.items())
        tail += f", unchanged {report['unchanged_app_projects']}"
    mode = " (dry run: nothing written)" if report["dry_run"] else ""
    paced = report.get("paced_seconds") or 0
    if paced:
        tail += f"; writes waited {paced:.1f} s for GATEWAY_MAX_WRITES_PER_MINUTE"
    return counts + tail + mode


def problems(report: dict[str, Any]) -> list[str]:
    lines = []
    if report["refused"]:
        lines.append(f"refused: {report['refused']}; repeat with --force to go ahead")
    for name in ("unreachable", "conflicts", "stuck", "errors"):
        lines += [f"{name}: {item}" for item in report.get(name, [])]
    withheld = report["deletes_withheld"]
    if withheld:
        sample = ", ".join(withheld[:3]) + (", ..." if len(withheld) > 3 else "")
        lines.append(f"deletes withheld: {len(withheld)} ({sample})")
    return lines


def notes(report: dict[str, Any]) -> list[str]:
    return [f"{name.replace('_', ' ')}: {item}" for name in NOTES for item in report.get(name, [])]


def table(rows: list[dict[str, Any]], wide: bool) -> str:
    # The multi form says which target (and, with several fleets, which fleet) a row is for.
    where = ["target"] if any(r.get("target") for r in rows) else []
    if len({r.get("fleet", "") for r in rows}) > 1:
        where.append("fleet")
    heads = ["ACTION", *(w.upper() for w in where), "MEMBERSHIP"]

    def first(r: dict[str, Any]) -> list[str]:
        return [r["action"], *(r[w] for w in where), r["membership"]]

    if wide:
        headers = [*heads, "SECRET", "SERVER", "LABELS CHANGED"]
        cells = [[*first(r), r["secret"], r["server"], changes(r, everything=True)] for r in rows]
        return _columns(headers, cells)
    headers = [*heads, "LABELS CHANGED"]
    cells = [[*first(r), changes(r, everything=False)] for r in rows]
    fixed = sum(max(len(c[i]) for c in [headers, *cells]) for i in range(len(heads)))
    room = max(20, WIDTH - fixed - 2 * len(heads))
    return _columns(headers, [[*c[:-1], _clip(c[-1], room)] for c in cells])


def project_table(projects: list[dict[str, Any]]) -> str:
    headers = ["ACTION", "TARGET", "APPPROJECT", "SCOPE", "DESTINATIONS"]
    cells = [
        [p["action"], p["target"], p["app_project"], p["scope"], str(p["destinations"])]
        for p in projects
    ]
    return _columns(headers, cells)


def changes(row: dict[str, Any], *, everything: bool) -> str:
    """Label changes: the membership's own labels, then scopes; ours only with --wide."""

    def rank(change: str) -> int:
        key = change[1:]
        return 1 if key.startswith(SCOPE_PREFIX) else 2 if key.startswith(INTERNAL_PREFIXES) else 0

    ordered = sorted(row["labels_changed"], key=rank)
    return " ".join(c for c in ordered if everything or rank(c) < 2) or "-"


def _clip(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 3] + "..."


def _columns(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines) + "\n"


def terminal_columns(stream: TextIO) -> int:
    """The width of the terminal `stream` writes to; 80 where it says 0 or is none."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


class ProgressBar:
    """Resync progress on a terminal, for large fleets: tqdm draws it to the terminal's width
    (as it was when the bar began), at most ten times a second, with the time left (a paced
    first sync of 10,000 clusters takes over an hour). Only made when stderr is a terminal."""

    # Short enough for 80 columns with room for the bar: no rate, a terse budget note.
    FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} writes [{elapsed}<{remaining}{postfix}]"

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._bar: Any = None

    def __call__(self, done: int, total: int, paced_s: float = 0.0) -> None:
        if self._bar is None:
            from tqdm import tqdm  # the CLI's alone, and only once a resync writes

            # The size is ours to read, not tqdm's: on a terminal that reports 0 rows (a
            # pseudo-terminal nobody sized, as CI runners give) tqdm hides the only bar.
            columns = terminal_columns(self.stream)
            self._bar = tqdm(
                total=total, file=self.stream, bar_format=self.FORMAT, ncols=columns, nrows=20
            )
        elif done < self._bar.n or total != self._bar.total:
            self._bar.reset(total=total)  # the next target or fleet of the resync
        if paced_s >= 1:
            self._bar.set_postfix_str(f"write budget: waited {paced_s:.0f} s", refresh=False)
        self._bar.update(done - self._bar.n)

    def finish(self) -> None:
        """End the bar's line; call it however the resync ended (an error, Ctrl-C) so what
        comes next starts on a line of its own and the bar is not drawn again."""
        if self._bar is not None:  # nothing written: no bar, and no lone blank line
            self._bar.close()
            self._bar = None
