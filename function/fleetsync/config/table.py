"""The table of environment variables the function reads: each `Variable` names one, how to
read it, its default and its CLI flag. `Settings.from_env`, the CLI's flags, and the tests
that keep the README table and the Terraform module's environment in step all read this table.
"""

from __future__ import annotations

from typing import Any

from fleetsync.config.targets import SyncConfig, parse_document
from fleetsync.config.variables import (
    Variable,
    between,
    parse_app_project,
    parse_boolean,
    parse_ca_file,
    parse_namespace,
    parse_project_number,
    parse_text,
    parse_url,
)
from fleetsync.core.labels import Selector, parse_selector
from fleetsync.core.model import MembershipRef
from fleetsync.core.naming import parse_membership

DEFAULT_GKEHUB_ENDPOINT = "https://gkehub.googleapis.com"

_fraction = between(float, 0.0, 1.0, "0 and 1")
_concurrency = between(int, 1, 64)
_writes_per_minute = between(int, 0, 100_000, "0 (no budget) and 100000")
_timeout = between(float, 0.1, 300.0, "0.1 and 300 seconds")
_deadline = between(float, 0.0, 3600.0, "0 (none) and 3600 seconds")


NO_MEMBERSHIP = MembershipRef("", "")
FLEET_PROJECT_NUMBER = Variable(
    "FLEET_PROJECT_NUMBER",
    parse_project_number,
    "",
    "the fleet host project number",
    flag="--project-number",
)
ARGOCD_MEMBERSHIP = Variable(
    "ARGOCD_MEMBERSHIP",
    parse_membership,
    NO_MEMBERSHIP,
    "the Argo CD cluster's membership, {location}/{id}",
    flag="--argocd-membership",
)
ARGOCD_NAMESPACE = Variable("ARGOCD_NAMESPACE", parse_namespace, "argocd", flag="--namespace")
ARGOCD_PROJECT = Variable("ARGOCD_PROJECT", parse_app_project, "", flag="--app-project")
MEMBERSHIP_SELECTOR = Variable("MEMBERSHIP_SELECTOR", parse_selector, Selector(), flag="--selector")
GKEHUB_ENDPOINT = Variable(
    "GKEHUB_ENDPOINT", parse_url, DEFAULT_GKEHUB_ENDPOINT, flag="--gkehub-endpoint"
)
CONNECT_GATEWAY_ENDPOINT = Variable(
    "CONNECT_GATEWAY_ENDPOINT", parse_url, "", flag="--gateway-endpoint"
)
FLEET_SYNC_STATIC_TOKEN = Variable("FLEET_SYNC_STATIC_TOKEN", parse_text, "", flag="--token")
# For endpoints whose certificate a private CA signed (the sandbox's --tls-dir ca.pem).
FLEET_SYNC_CA_FILE = Variable("FLEET_SYNC_CA_FILE", parse_ca_file, "", flag="--ca-file")
MAX_DELETE_FRACTION = Variable("MAX_DELETE_FRACTION", _fraction, 0.5)
SYNC_CONCURRENCY = Variable("SYNC_CONCURRENCY", _concurrency, 8)
DRY_RUN = Variable("DRY_RUN", parse_boolean, False)
REQUEST_TIMEOUT_SECONDS = Variable("REQUEST_TIMEOUT_SECONDS", _timeout, 20.0)
# A quarter of Connect Gateway's documented 2,400 requests a minute, which Argo CD shares.
GATEWAY_MAX_WRITES_PER_MINUTE = Variable("GATEWAY_MAX_WRITES_PER_MINUTE", _writes_per_minute, 600)
# A resync starts no write after this many seconds, so it ends within the function's timeout.
RESYNC_DEADLINE_SECONDS = Variable("RESYNC_DEADLINE_SECONDS", _deadline, 0.0)
# The multi form: several fleets and Argo CD targets in one JSON document (see targets.py).
FLEET_SYNC_CONFIG: Variable[SyncConfig | None] = Variable("FLEET_SYNC_CONFIG", parse_document, None)
VARIABLES: tuple[Variable[Any], ...] = (
    FLEET_SYNC_CONFIG,
    FLEET_PROJECT_NUMBER,
    ARGOCD_MEMBERSHIP,
    ARGOCD_NAMESPACE,
    ARGOCD_PROJECT,
    MEMBERSHIP_SELECTOR,
    GKEHUB_ENDPOINT,
    CONNECT_GATEWAY_ENDPOINT,
    FLEET_SYNC_STATIC_TOKEN,
    FLEET_SYNC_CA_FILE,
    MAX_DELETE_FRACTION,
    SYNC_CONCURRENCY,
    DRY_RUN,
    REQUEST_TIMEOUT_SECONDS,
    GATEWAY_MAX_WRITES_PER_MINUTE,
    RESYNC_DEADLINE_SECONDS,
)
# What FLEET_SYNC_CONFIG says instead; setting both forms is an error.
SINGLE_FORM = (
    FLEET_PROJECT_NUMBER,
    ARGOCD_MEMBERSHIP,
    ARGOCD_NAMESPACE,
    ARGOCD_PROJECT,
    MEMBERSHIP_SELECTOR,
)
# Every variable Settings.from_env reads; the Terraform module's environment must use these.
ENV_VARIABLES = tuple(variable.name for variable in VARIABLES)
