# Kubernetes RBAC inside the Argo CD cluster, rendered once here and applied by the user (or by
# examples/complete from the rbac_manifest output). The verbs are exactly the calls the
# function makes (function/fleetsync/adapters/argocd.py): read, list, create, merge-patch and delete.
# get and list cannot be narrowed to the Secrets it owns: RBAC has no label selectors, and
# resourceNames cannot restrict list or create.

locals {
  rbac_verbs = ["get", "list", "create", "patch", "delete"]

  # Connect Gateway presents the service account's email as the Kubernetes user name.
  rbac_manifest = join("---\n", [
    yamlencode({
      apiVersion = "rbac.authorization.k8s.io/v1"
      kind       = "Role"
      metadata   = { name = var.name, namespace = var.argocd_namespace }
      rules = [{
        apiGroups = [""]
        resources = ["secrets"]
        verbs     = local.rbac_verbs
      }]
    }),
    yamlencode({
      apiVersion = "rbac.authorization.k8s.io/v1"
      kind       = "RoleBinding"
      metadata   = { name = var.name, namespace = var.argocd_namespace }
      roleRef    = { apiGroup = "rbac.authorization.k8s.io", kind = "Role", name = var.name }
      subjects = [{
        apiGroup = "rbac.authorization.k8s.io"
        kind     = "User"
        name     = google_service_account.function.email
      }]
    }),
  ])
}
