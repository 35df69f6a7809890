"""Connect Gateway: the caller's token, routing to a member's Kubernetes API server, latency
and the per-project quota; and Google's OAuth 2.0 token endpoint that issues the tokens.

Follows the Connect Gateway documentation and its quotas page
(https://cloud.google.com/kubernetes-engine/enterprise/multicluster-management/gateway), and for
the token endpoint the JWT bearer grant (RFC 7523) as google-auth's service accounts use it.
"""
