"""How GKE Hub lists: `filter` and `orderBy` of ListMemberships for the forms the API
documents, paging (AIP-158), and refusing what a list does not implement.

google/cloud/gkehub/v1/service.proto (ListMembershipsRequest) documents, with AIP-160 syntax:
`name = "projects/p/locations/global/memberships/bar"`, `labels.foo:*`, `labels.foo = bar`
and `state = CREATING`; `order_by` follows AIP-132 (`field [desc], ...`). The sandbox serves
those forms, joined with AND, and answers anything else with 400 INVALID_ARGUMENT rather than
ignoring it: a filter that is silently dropped would make a test pass for the wrong reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request

from sandbox.google.conventions import GoogleError, page

Record = Any
_TERM = re.compile(
    r"\s*(?:(?P<has>labels\.(?P<hkey>[\w.\-/]+)\s*:\s*\*)"
    r"|(?P<field>name|state|state\.code|labels\.[\w.\-/]+)\s*=\s*"
    r"(?:\"(?P<quoted>[^\"]*)\"|(?P<bare>[\w.\-/]+)))\s*"
)
_ORDER_FIELDS = {
    "name": "name",
    "create_time": "create_time",
    "createTime": "create_time",
    "update_time": "update_time",
    "updateTime": "update_time",
}


def membership_filter(text: str, name_of: Callable[[Record], str]) -> Callable[[Record], bool]:
    """A predicate on membership records, or GoogleError 400 for an undocumented form."""
    tests: list[Callable[[Record], bool]] = []
    for part in re.split(r"\s+AND\s+", text.strip()) if text.strip() else []:
        found = _TERM.fullmatch(part)
        if found is None:
            raise GoogleError(400, f"Invalid filter: {text!r}")
        tests.append(_term(found, name_of))
    return lambda record: all(test(record) for test in tests)


def _term(found: re.Match[str], name_of: Callable[[Record], str]) -> Callable[[Record], bool]:
    if found["has"]:
        key = found["hkey"]
        return lambda r: key in r.labels
    field = found["field"]
    value = found["quoted"] if found["quoted"] is not None else found["bare"]
    if field == "name":
        return lambda r: name_of(r) == value
    if field in ("state", "state.code"):
        return lambda r: bool(r.state == value)
    key = field.removeprefix("labels.")
    return lambda r: r.labels.get(key) == value


def ordered(records: list[Record], order_by: str, name_of: Callable[[Record], str]) -> list[Record]:
    """`records` sorted as `orderBy` asks; the default order (by name) when it is empty."""
    keys: list[tuple[str, bool]] = []
    for part in [p.strip() for p in order_by.split(",")] if order_by.strip() else []:
        words = part.split()
        if not words or words[0] not in _ORDER_FIELDS or words[1:] not in ([], ["asc"], ["desc"]):
            raise GoogleError(400, f"Invalid order_by: {order_by!r}")
        keys.append((_ORDER_FIELDS[words[0]], words[1:] == ["desc"]))
    result = sorted(records, key=name_of)
    for attribute, descending in reversed(keys):  # stable sorts, last key first
        pick = name_of if attribute == "name" else (lambda r, a=attribute: getattr(r, a))
        result.sort(key=pick, reverse=descending)
    return result


def check_location(location: str, unreachable: list[str]) -> None:
    if location != "-" and location in unreachable:
        raise GoogleError(503, f"Location {location} is currently unreachable")


def refuse_query(request: Request) -> None:
    """Lists other than memberships implement no filter or order: say so, do not ignore it."""
    for arg in ("filter", "orderBy"):
        if request.args.get(arg):
            raise GoogleError(400, f"{arg} is not supported on this collection by the sandbox")


def page_of(
    request: Request, field: str, records: list[Any], render: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """One page of a list answer: `field` holds the page, `nextPageToken` the rest.

    Only the page is rendered, so listing N items in pages costs N renders, not N per page.
    """
    chosen, token = page(records, request.args.get("pageSize"), request.args.get("pageToken"))
    # proto3 JSON leaves out an empty repeated field: an empty list answers `{}`.
    body: dict[str, Any] = {field: [render(record) for record in chosen]} if chosen else {}
    if token:
        body["nextPageToken"] = token
    return body
