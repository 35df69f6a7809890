"""What a fleet read only in part gives a target's AppProjects: what it gave them before.

A view of a fleet with a location, a scope list or a membership's bindings missing would
revoke destinations it simply did not see. The fleets read completely say what they say. So
each AppProject is made from the complete views, plus, for each fleet read in part, the
destinations of its own clusters that the AppProject has now (servers under that fleet
project's gateway path) and its fleet label. A cluster's destination therefore goes as soon
as its own fleet's view is complete, whatever another fleet's view lacks, and an AppProject
only a partly read fleet still makes is kept with that fleet's destinations alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import replace

from fleetsync.core.model import FLEET_LABEL_PREFIX
from fleetsync.core.tenancy import AppProject

_FLEET_IN_SERVER = re.compile(r"/projects/(\d+)/locations/")


def fleet_of_server(server: str) -> str:
    """The fleet project number in a Connect Gateway server URL, or ""."""
    found = _FLEET_IN_SERVER.search(server)
    return found.group(1) if found else ""


def carry_over(
    desired: Mapping[str, AppProject],
    existing: Mapping[str, AppProject],
    partial: Collection[str],
    owners: Collection[str],
) -> dict[str, AppProject]:
    """`desired` (made from the complete views) with what the `partial` fleets gave ours."""
    result = dict(desired)
    for name, current in existing.items():
        from_partial = current.fleets & set(partial)
        if not from_partial or not current.owned_by(owners):
            continue
        kept = [
            (d.get("server", ""), d.get("namespace", ""))
            for d in current.spec.get("destinations") or ()
            if fleet_of_server(d.get("server", "")) in from_partial
        ]
        base = result.get(name)
        if base is None:  # only partly read fleets make it: theirs alone, as they were
            stale = {FLEET_LABEL_PREFIX + n for n in current.fleets - from_partial}
            labels = {k: v for k, v in current.labels.items() if k not in stale}
            base, mine = replace(current, labels=labels), []
        else:
            labels = {**base.labels, **{FLEET_LABEL_PREFIX + n: "true" for n in from_partial}}
            base, mine = replace(base, labels=labels), list(base.spec.get("destinations") or ())
        pairs = {(d["server"], d["namespace"]) for d in mine} | set(kept)
        destinations = [{"server": s, "namespace": ns} for s, ns in sorted(pairs)]
        result[name] = replace(base, spec={**base.spec, "destinations": destinations})
    return result
