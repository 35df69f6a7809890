"""Write planned changes to the Argo CD cluster and fold each outcome into a Report.

`reconcile` decides when to write; this module only writes (one change, or all of a plan's,
`concurrency` at a time), logs one line per change, and keeps one failed write from failing
the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial

from fleetsync.app.deadline import NONE, Deadline
from fleetsync.app.ports import SecretStore
from fleetsync.core.done import describe, membership_of
from fleetsync.core.errors import AccessError, ConflictError, PermanentError, RetryableError
from fleetsync.core.model import ClusterSecret, MembershipRef
from fleetsync.core.naming import parse_secret_name
from fleetsync.core.planning import CREATE, DELETE, Change
from fleetsync.core.report import Report

logger = logging.getLogger(__name__)
Written = dict[str, ClusterSecret | None]  # Secret name -> as written, None when deleted
Outcome = Callable[[], Report | None]  # returns, or raises what the write raised
# (writes done, writes planned, seconds writes have waited for the gateway budget)
Progress = Callable[[int, int, float], None]


def apply_change(
    store: SecretStore,
    change: Change,
    existing: Mapping[str, ClusterSecret],
    project_number: str,
    where: Mapping[str, str] | None = None,
) -> ClusterSecret | None:
    """Write one change; the Secret as it now stands, None after a delete. `where` names the
    target and fleet in the log line (the multi form)."""
    secret = change.secret
    written: ClusterSecret | None = None
    if change.action == CREATE:
        written = store.create(secret)
    elif change.action == DELETE:
        store.delete(secret)
    else:
        written = store.update(existing[secret.name], secret)
    logger.info(
        "%s Secret %s",
        change.action,
        secret.name,
        extra={
            "json_fields": {
                "action": change.action,
                "secret": secret.name,
                "membership": membership_of(secret, project_number),
                **(where or {}),
            }
        },
    )
    return written


def apply_all(
    store: SecretStore,
    changes: Sequence[Change],
    write: Callable[[Change], ClusterSecret | None],
    converge: Callable[[MembershipRef], Report],
    report: Report,
    *,
    project_number: str,
    concurrency: int,
    progress: Progress | None = None,
    deadline: Deadline = NONE,
) -> tuple[Report, Written]:
    """The report with every change's outcome, and what was written. A delete, and a write
    that met a conflict, are left to `converge`, which settles that one membership; a change
    not started by the deadline is reported left, for the next run."""
    written: Written = {}
    paced_before = store.paced_seconds()

    def apply(change: Change) -> Report | None:
        if deadline.passed():
            return Report(left=(change.secret.name,), retryable=True)
        ref = parse_secret_name(change.secret.name, project_number)
        if ref is not None and change.action == DELETE:
            # A listing can be minutes old by now: confirm with this one membership,
            # read again right before the delete.
            return converge(ref)
        try:
            written[change.secret.name] = write(change)
            return None
        except ConflictError:
            # Someone wrote in between: this one membership converges on its own.
            return converge(ref) if ref else None

    for done, (change, outcome) in enumerate(each(apply, changes, concurrency), start=1):
        report = record(report, change, outcome, project_number)
        if progress is not None:
            progress(done, len(changes), store.paced_seconds() - paced_before)
    return report, written


def each(
    run: Callable[[Change], Report | None], changes: Sequence[Change], concurrency: int
) -> Iterator[tuple[Change, Outcome]]:
    """Each change with its outcome; in order, in this thread, when concurrency is 1."""
    if concurrency == 1:
        for change in changes:
            yield change, partial(run, change)
        return
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [(change, pool.submit(run, change)) for change in changes]
        for change, future in futures:
            yield change, future.result


def record(report: Report, change: Change, outcome: Outcome, project_number: str) -> Report:
    """The report with what one change did: the write, or what converging its membership
    again did instead; a failed write fails only itself and is not reported done."""
    try:
        again = outcome()
    except RetryableError as err:
        if isinstance(err, AccessError):
            logger.error("%s %s: %s", change.action, change.secret.name, err)
        failed = f"{change.action} {change.secret.name}: {err}"
        return replace(report, retryable=True, errors=(*report.errors, failed))
    except PermanentError as err:
        failed = f"{change.action} {change.secret.name}: {err}"
        return replace(report, errors=(*report.errors, failed))
    if again is None:
        return replace(report, changes=(*report.changes, describe(change, project_number)))
    return report.plus(again)
