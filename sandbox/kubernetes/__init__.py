"""A member cluster's Kubernetes API server: objects, lists and `continue`, label selectors,
validation, RBAC, and which HTTP path reaches which object.

Follows the Kubernetes API conventions and API concepts (https://kubernetes.io/docs/reference/using-api/),
"Object Names and IDs", "Labels and Selectors", "Using RBAC Authorization", and argo-cd's
AppProject CRD (`manifests/crds/appproject-crd.yaml`).
"""
