"""An AppProject's destinations are clusters times namespaces: past what the API server stores in
one object, the run says which AppProject and why, writes the others, and fails loudly."""

from __future__ import annotations

from fleetsync.core.limits import ETCD_MAX_REQUEST_BYTES, MAX_APPPROJECT_BYTES, appproject_bytes
from tests.safety.memory import Member, World
from tests.safety.test_sync import TEAM, A, config, fleets, wire


def test_an_appproject_too_big_to_store_is_named_not_written_and_the_others_are():
    members = {f"m{i:05d}": Member(scopes={"big"}) for i in range(4000)}
    members["small-1"] = Member(scopes={"small"})
    hub = fleets(members, {})
    hub[A].scopes = {"big": ("web", "api", "jobs"), "small": ("web",)}
    clusters = {"all": World({})}
    report = wire(config(TEAM), hub, clusters).resync()
    stored = clusters["all"]
    assert "team-small" in stored.projects and "team-big" not in stored.projects
    (error,) = [e for e in report.errors if "team-big" in e]
    assert "12000 destinations" in error and "not written" in error
    assert len(stored.secrets) == 4001  # the Secrets go on
    assert not report.complete
    assert MAX_APPPROJECT_BYTES < ETCD_MAX_REQUEST_BYTES
    small = stored.projects["team-small"]
    assert appproject_bytes(small) < MAX_APPPROJECT_BYTES
