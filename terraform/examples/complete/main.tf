# A complete setup, as in Google's Connect Gateway + Argo CD walk-through: a fleet host project
# with an Argo CD cluster and a workload cluster (both Autopilot, registered to the fleet at
# creation, Workload Identity on), Argo CD with its own Google identity reaching every member
# through Connect Gateway, and fleet-argocd-sync keeping Argo CD's cluster Secrets equal to the
# fleet, told of each fleet change by the module's Logging sink in this project, its Pub/Sub
# topic and push subscription (one fleet: one project sink). Files: main.tf (network, clusters,
# the module), argocd.tf (Argo CD, its identity and RBAC), providers.tf (how Terraform reaches
# the clusters without storing a token).

data "google_project" "fleet" {
  project_id = var.project_id
}

locals {
  hub      = "argocd-hub"
  workload = "workload-1"
  # Connect Gateway URL of a GKE member registered at creation ({region}/{cluster name}).
  gateway_urls = {
    for name in [local.hub, local.workload] :
    name => "https://${var.region}-connectgateway.googleapis.com/v1/projects/${data.google_project.fleet.number}/locations/${var.region}/gkeMemberships/${name}"
  }
}

resource "google_project_service" "apis" {
  for_each           = toset(["container.googleapis.com", "gkehub.googleapis.com", "connectgateway.googleapis.com"])
  service            = each.value
  disable_on_destroy = false
}

resource "google_compute_network" "fleet" {
  name                    = "fleet"
  auto_create_subnetworks = false
  depends_on              = [google_project_service.apis]
}

# GKE adds the rules it needs at higher priority; everything else from outside is refused.
resource "google_compute_firewall" "deny_ingress" {
  name          = "fleet-deny-ingress"
  network       = google_compute_network.fleet.id
  direction     = "INGRESS"
  priority      = 65534
  source_ranges = ["0.0.0.0/0"]

  deny {
    protocol = "all"
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_subnetwork" "fleet" {
  name                     = "fleet-${var.region}"
  network                  = google_compute_network.fleet.id
  region                   = var.region
  ip_cidr_range            = "10.10.0.0/20"
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

resource "google_container_cluster" "clusters" {
  # checkov:skip=CKV_GCP_65:Autopilot example; Google Groups for RBAC is an organisation choice.
  # checkov:skip=CKV_GCP_66:Binary Authorization is outside this example's scope.
  # checkov:skip=CKV_GCP_69:Autopilot enables Workload Identity (GKE metadata server) itself.
  # checkov:skip=CKV_GCP_61:Autopilot manages intranode visibility; it cannot be set on it.
  # checkov:skip=CKV_GCP_12:Network policy is enforced by Dataplane V2 (datapath_provider below), which this check does not read.
  for_each            = toset([local.hub, local.workload])
  name                = each.value
  location            = var.region
  enable_autopilot    = true
  network             = google_compute_network.fleet.id
  subnetwork          = google_compute_subnetwork.fleet.id
  deletion_protection = false
  datapath_provider   = "ADVANCED_DATAPATH" # Dataplane V2 enforces network policies

  ip_allocation_policy {}

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  # Registered to the fleet at creation: the membership is {region}/{cluster name}.
  fleet {
    project = var.project_id
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
  }

  master_authorized_networks_config {}

  release_channel {
    channel = "REGULAR"
  }

  resource_labels = {
    env = each.value == local.hub ? "platform" : "prod"
  }
}

module "fleet_argocd_sync" {
  source = "../.."

  project_id           = var.project_id
  region               = var.region
  fleet_project_number = data.google_project.fleet.number
  argocd_membership    = "${var.region}/${local.hub}"
  membership_selector  = "!no-argocd"

  depends_on = [google_container_cluster.clusters]
}

# The function's Role and RoleBinding, applied from the module's rbac_manifest output so the
# rules are written once, in the module.
locals {
  sync_rbac    = [for doc in split("---\n", module.fleet_argocd_sync.rbac_manifest) : yamldecode(doc)]
  sync_role    = one([for doc in local.sync_rbac : doc if doc.kind == "Role"])
  sync_binding = one([for doc in local.sync_rbac : doc if doc.kind == "RoleBinding"])
}

resource "kubernetes_role_v1" "sync" {
  count = var.apply_rbac ? 1 : 0
  metadata {
    name      = local.sync_role.metadata.name
    namespace = local.sync_role.metadata.namespace
  }
  dynamic "rule" {
    for_each = local.sync_role.rules
    content {
      api_groups = rule.value.apiGroups
      resources  = rule.value.resources
      verbs      = rule.value.verbs
    }
  }
  depends_on = [helm_release.argocd]
}

resource "kubernetes_role_binding_v1" "sync" {
  count = var.apply_rbac ? 1 : 0
  metadata {
    name      = local.sync_binding.metadata.name
    namespace = local.sync_binding.metadata.namespace
  }
  role_ref {
    api_group = local.sync_binding.roleRef.apiGroup
    kind      = local.sync_binding.roleRef.kind
    name      = kubernetes_role_v1.sync[0].metadata[0].name
  }
  dynamic "subject" {
    for_each = local.sync_binding.subjects
    content {
      api_group = subject.value.apiGroup
      kind      = subject.value.kind
      name      = subject.value.name
    }
  }
}
