# Argo CD with a Google identity of its own, as `argocd-k8s-auth gcp` needs to use the cluster
# Secrets fleet-argocd-sync writes: a Google service account, Workload Identity for the
# argocd-server and argocd-application-controller Kubernetes service accounts, the fleet roles
# Connect Gateway asks for, and RBAC for that identity in every member cluster.

locals {
  argocd_namespace = "argocd"
  # The Kubernetes service accounts of the argo-cd chart that call member clusters.
  argocd_ksas = ["argocd-server", "argocd-application-controller"]
  # Connect Gateway presents the Google service account's email as the Kubernetes user name.
  argocd_member_rbac = {
    apiVersion = "rbac.authorization.k8s.io/v1"
    kind       = "ClusterRoleBinding"
    metadata   = { name = "argocd-fleet" }
    roleRef    = { apiGroup = "rbac.authorization.k8s.io", kind = "ClusterRole", name = var.argocd_cluster_role }
    subjects   = [{ apiGroup = "rbac.authorization.k8s.io", kind = "User", name = google_service_account.argocd.email }]
  }
}

resource "google_service_account" "argocd" {
  account_id   = "argocd-fleet"
  display_name = "Argo CD"
  description  = "Argo CD's identity towards every fleet member, through Connect Gateway."
}

# Read memberships and send requests through Connect Gateway; inside each cluster, only what
# that cluster's RBAC grants.
resource "google_project_iam_member" "argocd" {
  for_each = toset(["roles/gkehub.gatewayEditor", "roles/gkehub.viewer"])
  project  = var.project_id
  role     = each.value
  member   = google_service_account.argocd.member
}

resource "google_service_account_iam_member" "argocd_workload_identity" {
  for_each           = toset(local.argocd_ksas)
  service_account_id = google_service_account.argocd.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${local.argocd_namespace}/${each.value}]"
  depends_on         = [google_container_cluster.clusters] # the workload pool exists from the first cluster on
}

resource "helm_release" "argocd" {
  count            = var.install_argocd ? 1 : 0
  name             = "argocd"
  repository       = "https://argoproj.github.io/argo-helm"
  chart            = "argo-cd"
  version          = var.argocd_chart_version
  namespace        = local.argocd_namespace
  create_namespace = true

  values = [yamlencode({
    for component in ["controller", "server"] : component => {
      serviceAccount = {
        annotations = { "iam.gke.io/gcp-service-account" = google_service_account.argocd.email }
      }
    }
  })]

  depends_on = [google_container_cluster.clusters, google_service_account_iam_member.argocd_workload_identity]
}

# RBAC for Argo CD's identity in each member cluster, from the one manifest above (two resources
# only because a provider cannot vary per instance). Here, both clusters of the example; for a
# cluster registered later, apply the argocd_member_rbac_manifest output there, or run the
# argocd_member_rbac_command output, which asks gcloud to generate and apply the same binding.
resource "kubernetes_cluster_role_binding_v1" "argocd_hub" {
  count = var.apply_rbac ? 1 : 0
  metadata {
    name = local.argocd_member_rbac.metadata.name
  }
  role_ref {
    api_group = local.argocd_member_rbac.roleRef.apiGroup
    kind      = local.argocd_member_rbac.roleRef.kind
    name      = local.argocd_member_rbac.roleRef.name
  }
  subject {
    api_group = local.argocd_member_rbac.subjects[0].apiGroup
    kind      = local.argocd_member_rbac.subjects[0].kind
    name      = local.argocd_member_rbac.subjects[0].name
  }
}

resource "kubernetes_cluster_role_binding_v1" "argocd_workload" {
  count    = var.apply_rbac ? 1 : 0
  provider = kubernetes.workload
  metadata {
    name = local.argocd_member_rbac.metadata.name
  }
  role_ref {
    api_group = local.argocd_member_rbac.roleRef.apiGroup
    kind      = local.argocd_member_rbac.roleRef.kind
    name      = local.argocd_member_rbac.roleRef.name
  }
  subject {
    api_group = local.argocd_member_rbac.subjects[0].apiGroup
    kind      = local.argocd_member_rbac.subjects[0].kind
    name      = local.argocd_member_rbac.subjects[0].name
  }
  depends_on = [google_container_cluster.clusters]
}
