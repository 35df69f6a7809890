"""What the stricter sandbox asks of the product: an expired list restarts, a membership
whose cluster is gone loses its Secret."""

from tests.integration.secrets import name, plant

CLUSTER_LABEL = {"argocd.argoproj.io/secret-type": "cluster"}
PRODUCT_PAGE = 500  # fleetsync.adapters.argocd.LIST_PAGE_SIZE


def test_expired_continue_restarts_the_list(sandbox, fn, admin):
    for i in range(PRODUCT_PAGE + 1):
        plant(admin, f"foreign-{i:04d}", CLUSTER_LABEL)
    sandbox.add_membership("us-central1", "m0")
    sandbox.ok("POST", "/sandbox/kubernetes", {"expire_next": 1})
    status, report = fn.resync()
    assert status == 200, report
    assert name("m0") in sandbox.secrets()
    assert len([s for s in sandbox.secrets() if s.startswith("foreign-")]) == PRODUCT_PAGE + 1


def test_cluster_missing_membership_loses_its_secret(sandbox, fn):
    sandbox.add_membership("us-central1", "hand")
    assert fn.resync()[0] == 200
    assert name("hand") in sandbox.secrets()
    sandbox.ok("DELETE", "/sandbox/clusters/us-central1/hand")
    status, report = fn.resync()
    assert status == 200, report
    assert name("hand") not in sandbox.secrets()
