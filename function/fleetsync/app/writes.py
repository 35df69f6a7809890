"""Write planned changes to the Argo CD cluster and fold each outcome into a Report.

`reconcile` decides when to write; this module only writes, logs one line per change, and
keeps one failed write from failing the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import Protocol

from fleetsync.core.errors import AccessError, PermanentError, RetryableError
from fleetsync.core.model import ClusterSecret
from fleetsync.core.planning import CREATE, DELETE, Change
from fleetsync.core.report import Report, describe, membership_of

logger = logging.getLogger(__name__)
Written = dict[str, ClusterSecret | None]  # Secret name -> as written, None when deleted
Outcome = Callable[[], Report | None]  # returns, or raises what the write raised


class SecretStore(Protocol):
    def list_cluster_secrets(self) -> dict[str, ClusterSecret]: ...
    def get(self, name: str) -> ClusterSecret | None: ...
    def create(self, secret: ClusterSecret) -> ClusterSecret: ...
    def update(self, current: ClusterSecret, merged: ClusterSecret) -> ClusterSecret: ...
    def delete(self, current: ClusterSecret) -> None: ...
    def paced_seconds(self) -> float: ...


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
