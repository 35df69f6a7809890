"""What the stricter sandbox asks of the product (issue 11, "What the product must do").

Each test here is expected to fail until the product change it names is made; `strict=True`
makes the suite say so the day it starts passing.
"""

import pytest

from tests.integration.test_function_resync import name, plant

CLUSTER_LABEL = {"argocd.argoproj.io/secret-type": "cluster"}
PRODUCT_PAGE = 500  # fleetsync.argocd.LIST_PAGE_SIZE


@pytest.mark.xfail(
    strict=True,
    reason="product change needed: an expired continue token (410 Expired) must restart the "
    "Secret list (bounded) instead of failing the resync",
)
def test_expired_continue_restarts_the_list(sandbox, fn, admin):
    for i in range(PRODUCT_PAGE + 1):
        plant(admin, f"foreign-{i:04d}", CLUSTER_LABEL)
    sandbox.add_membership("us-central1", "m0")
    sandbox.ok("POST", "/sandbox/kubernetes", {"expire_next": 1})
    status, report = fn.resync()
    assert status == 200, report
    assert name("m0") in sandbox.secrets()
    assert len([s for s in sandbox.secrets() if s.startswith("foreign-")]) == PRODUCT_PAGE + 1
