"""Adapter: read memberships and their scope bindings from GKE Hub (google-cloud-gke-hub, REST).

Translates the client's messages into `Membership` objects and its exceptions into
RetryableError / PermanentError. It decides nothing about Secrets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fleetsync.adapters.credentials import TokenSource
from fleetsync.adapters.hub_calls import call, deleting, drain, state_name
from fleetsync.config.settings import Settings
from fleetsync.core.errors import PermanentError, with_backoff
from fleetsync.core.model import FleetListing, Membership, MembershipRef, ScopeView
from fleetsync.core.naming import (
    is_resource_id,
    membership_name,
    parse_resource_name,
    platform_of,
)

PAGE_SIZE = 1000


class Fleet:
    def __init__(self, settings: Settings, tokens: TokenSource) -> None:
        from google.cloud import gkehub_v1

        self._project = settings.fleet_project_number
        self._timeout = settings.request_timeout_s
        self._backoff = settings.backoff
        self._client = gkehub_v1.GkeHubClient(
            transport="rest",
            credentials=tokens.credentials,
            client_options={"api_endpoint": settings.gkehub_endpoint},
        )
        if settings.ca_file:
            transport: Any = self._client.transport  # the REST transport offers no CA option
            _trust_only(transport._session, settings.ca_file)

    def get_membership(self, ref: MembershipRef) -> Membership | None:
        """The membership (scopes not read), or None when the Hub says it does not exist."""
        name = membership_name(self._project, ref)
        found = with_backoff(
            lambda: call(
                lambda: self._client.get_membership(name=name, retry=None, timeout=self._timeout)
            ),
            self._backoff,
        )
        return None if found is None else _membership(found, None)

    def scopes_of(self, ref: MembershipRef) -> tuple[str, ...] | None:
        """The scopes a membership is bound to; None when not every binding could be read."""
        scopes = self._list_bindings(membership_name(self._project, ref))
        if scopes is None:
            return None
        return tuple(sorted({scope for found in scopes.values() for scope in found}))

    def list_fleet(self) -> FleetListing:
        """All memberships in every location, with their scopes; all pages."""
        parent = f"projects/{self._project}/locations/-"
        scopes = self._list_bindings(f"{parent}/memberships/-")

        listed = self._list_all(self._client.list_memberships, parent, "resources")
        if listed is None:
            raise PermanentError(f"GKE Hub does not know fleet project {self._project}")
        raw, unreachable = listed
        memberships, unreadable = [], []
        for item in raw:
            try:
                ref = _ref(item.name)
                found = None if scopes is None else scopes.get(ref, ())
                memberships.append(_membership(item, found))
            except PermanentError:
                unreadable.append(str(item.name))
        return FleetListing(tuple(memberships), tuple(sorted(set(unreachable))), tuple(unreadable))

    def list_scopes(self) -> dict[str, tuple[str, ...]] | None:
        """Every scope of the fleet with the ids of its fleet namespaces (those not being
        deleted); None when not all could be read (an id we cannot use counts as unread,
        and so does a scope whose namespaces answer 404: that is not "no scope")."""
        listed = self._list_all(
            self._client.list_scopes, f"projects/{self._project}/locations/global", "scopes"
        )
        if listed is None:
            return None
        scopes: dict[str, tuple[str, ...]] = {}
        for scope in listed[0]:
            namespaces = self._list_all(
                self._client.list_scope_namespaces, str(scope.name), "scope_namespaces"
            )
            if namespaces is None:
                return None
            ids = [str(n.name).rsplit("/", 1)[-1] for n in namespaces[0] if not deleting(n)]
            scope_id = str(scope.name).rsplit("/", 1)[-1]
            if not all(map(is_resource_id, [scope_id, *ids])):
                return None
            scopes[scope_id] = tuple(sorted(ids))
        return scopes

    def scope_view(self, scope: str) -> ScopeView | None:
        """A scope's fleet namespaces and bound memberships; None when this fleet has no
        such scope. (Each membership's scopes hold this scope only: the others are not read.)"""
        name = f"projects/{self._project}/locations/global/scopes/{scope}"
        namespaces = self._list_all(self._client.list_scope_namespaces, name, "scope_namespaces")
        if namespaces is None:
            return None
        ids = [str(n.name).rsplit("/", 1)[-1] for n in namespaces[0] if not deleting(n)]

        bound = self._list_all(
            self._client.list_bound_memberships, name, "memberships", "scope_name"
        )
        if bound is None:
            return None
        members, complete = [], not bound[1] and all(map(is_resource_id, ids))
        for item in bound[0]:
            try:
                members.append(_membership(item, (scope,)))
            except PermanentError:
                complete = False
        return ScopeView(tuple(sorted(ids)), tuple(members), complete)

    def _list_bindings(self, parent: str) -> dict[MembershipRef, list[str]] | None:
        """Scopes by membership; None when the listing was partial (unreachable locations)
        or answered 404: neither means "no bindings"."""
        listed = self._list_all(
            self._client.list_membership_bindings, parent, "membership_bindings"
        )
        if listed is None or listed[1]:
            return None
        scopes: dict[MembershipRef, list[str]] = {}
        for binding in listed[0]:
            try:
                ref = _ref(binding.name)
            except PermanentError:
                return None  # a binding we cannot place: the view is not complete
            scopes.setdefault(ref, []).append(str(binding.scope).rsplit("/", 1)[-1])
        return scopes

    def _list_all(
        self, method: Callable[..., Any], parent: str, field_name: str, key: str = "parent"
    ) -> tuple[list[Any], list[str]] | None:
        """Every page of a Hub list call, retried as a whole; None if the parent (the
        request's `key`) is unknown."""

        def list_pages() -> tuple[list[Any], list[str]] | None:
            pager = call(
                lambda: method(
                    request={key: parent, "page_size": PAGE_SIZE},
                    retry=None,
                    timeout=self._timeout,
                )
            )
            return None if pager is None else drain(pager, field_name)

        return with_backoff(list_pages, self._backoff)


def _ref(name: str) -> MembershipRef:
    _, kind, ref = parse_resource_name(str(name))
    if kind != "membership":
        raise PermanentError(f"{name!r} is not a membership")
    return ref


def _membership(item: Any, scopes: Iterable[str] | None) -> Membership:
    gke, metadata = item.endpoint.gke_cluster, item.endpoint.kubernetes_metadata
    return Membership(
        ref=_ref(item.name),
        state=state_name(item.state.code),
        labels=dict(item.labels),
        scopes=None if scopes is None else tuple(sorted(set(scopes))),
        unique_id=str(item.unique_id),
        cluster=str(gke.resource_link),
        cluster_missing=bool(gke.cluster_missing),
        platform=platform_of(str(gke.resource_link), str(metadata.node_provider_id)),
        kubernetes_version=str(metadata.kubernetes_api_server_version),
    )


def _trust_only(session: Any, ca_file: str) -> None:
    """Verify every request of the transport's requests.Session against `ca_file` alone.

    Setting `session.verify` is not enough: requests lets REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE,
    common on build machines and behind corporate proxies, override it whenever a call passes no
    `verify` of its own, which google-api-core's calls never do. The environment's proxies and
    the rest of its settings still apply.
    """
    merge = session.merge_environment_settings

    def settings_with_ca(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {**merge(*args, **kwargs), "verify": ca_file}

    session.merge_environment_settings = settings_with_ca
