# Kubernetes RBAC inside the Argo CD cluster(s), rendered here and applied by the user (or by the
# examples from the rbac_manifest / rbac_manifests outputs): one Role and RoleBinding per target,
# in that target's namespace. The verbs are exactly the calls the function makes
# (function/fleetsync/adapters/argocd.py): read, list, create, merge-patch and delete; and its
# resync Lease (adapters/leases.py): read, create, replace and delete.
# get and list cannot be narrowed to the Secrets it owns: RBAC has no label selectors, and
# resourceNames cannot restrict list or create.

locals {
  rbac_verbs = ["get", "list", "create", "patch", "delete"]
  # With tenancy on, the function also writes an AppProject per fleet scope, with the same calls.
  appproject_verbs = ["get", "list", "create", "patch", "delete"]

  secret_rule     = { apiGroups = [""], resources = ["secrets"], verbs = local.rbac_verbs }
  appproject_rule = { apiGroups = ["argoproj.io"], resources = ["appprojects"], verbs = local.appproject_verbs }
  # The resync Lease (function/fleetsync/core/leases.py: one at a time per target, across
  # instances). A create cannot be narrowed by name; the rest can.
  resync_lease = "fleet-argocd-sync-resync"
  lease_rules = [
    { apiGroups = ["coordination.k8s.io"], resources = ["leases"], verbs = ["create"] },
    { apiGroups = ["coordination.k8s.io"], resources = ["leases"], resourceNames = [local.resync_lease], verbs = ["get", "update", "delete"] },
  ]

  # Connect Gateway presents the service account's email as the Kubernetes user name.
  rbac_subjects = [{
    apiGroup = "rbac.authorization.k8s.io"
    kind     = "User"
    name     = google_service_account.function.email
  }]

  rbac_manifests = {
    for name, a in local.argocd_targets : name => join("---\n", [
      yamlencode({
        apiVersion = "rbac.authorization.k8s.io/v1"
        kind       = "Role"
        metadata   = { name = var.name, namespace = a.namespace }
        rules      = concat([local.secret_rule], a.tenancy ? [local.appproject_rule] : [], local.lease_rules)
      }),
      yamlencode({
        apiVersion = "rbac.authorization.k8s.io/v1"
        kind       = "RoleBinding"
        metadata   = { name = var.name, namespace = a.namespace }
        roleRef    = { apiGroup = "rbac.authorization.k8s.io", kind = "Role", name = var.name }
        subjects   = local.rbac_subjects
      }),
    ])
  }
  # The single form's one target is named after the function.
  rbac_manifest = local.multi ? null : local.rbac_manifests[var.name]
}
