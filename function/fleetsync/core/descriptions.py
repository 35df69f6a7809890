"""The description an AppProject of ours carries: its scope and fleets, within the CRD's cap.

Pure. The wording is unchanged wherever it fits, so AppProjects written before the cap
compare equal and are not rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable

# argo-cd's AppProject CRD (manifests/crds/appproject-crd.yaml, v3.5.1) declares
# `spec.description` with `maxLength: 255`: the API server refuses a longer one with a 422.
# OpenAPI counts characters; scope ids and project numbers are ASCII, so bytes agree.
DESCRIPTION_MAX_LENGTH = 255
DESCRIPTION_FORMAT = "Fleet scope {scope} of fleet {fleets}; managed by fleet-argocd-sync"


def project_description(scope: str, fleets: Iterable[str]) -> str:
    """Every fleet, sorted, when that fits; else the first ones that fit and "... and N more".

    Each number shown adds at least three characters while "N more" loses at most one, so
    the first prefix that does not fit ends the search.
    """
    numbers = sorted(fleets)
    full = DESCRIPTION_FORMAT.format(scope=scope, fleets=", ".join(numbers))
    if len(full) <= DESCRIPTION_MAX_LENGTH:
        return full
    text = _shortened(scope, numbers, 0)
    for shown in range(1, len(numbers)):
        longer = _shortened(scope, numbers, shown)
        if len(longer) > DESCRIPTION_MAX_LENGTH:
            break
        text = longer
    return text


def _shortened(scope: str, numbers: list[str], shown: int) -> str:
    listed = [*numbers[:shown], f"... and {len(numbers) - shown} more"]
    return DESCRIPTION_FORMAT.format(scope=scope, fleets=", ".join(listed))
