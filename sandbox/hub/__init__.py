"""GKE Hub v1 REST: memberships, bindings, scopes and fleet namespaces, their shapes, how
lists are filtered, ordered and paged, and the long-running operations of changes.

Follows google/cloud/gkehub/v1 (membership.proto, fleet.proto, service.proto) and the v1 REST
reference; AIP-132, AIP-158 and AIP-160 for lists; `google.longrunning.Operation` and the
`operation` field of Cloud Audit Logs entries for operations.
"""
