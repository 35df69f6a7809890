# A complete setup, as in the fleet-argocd-plugin walk-through: a fleet host project with an
# Argo CD cluster and a workload cluster (both Autopilot, registered to the fleet at creation),
# Argo CD, and fleet-argocd-sync keeping Argo CD's cluster Secrets equal to the fleet.

provider "google" {
  project = var.project_id
  region  = var.region
}

data "google_project" "fleet" {
  project_id = var.project_id
}

data "google_client_config" "current" {}

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
  for_each            = toset(["argocd-hub", "workload-1"])
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
    env = each.value == "argocd-hub" ? "platform" : "prod"
  }
}

module "fleet_argocd_sync" {
  source = "../.."

  project_id           = var.project_id
  region               = var.region
  fleet_project_number = data.google_project.fleet.number
  argocd_membership    = "${var.region}/argocd-hub"
  membership_selector  = "!no-argocd"

  depends_on = [google_container_cluster.clusters]
}

# Argo CD and the function's RBAC, both reached through Connect Gateway: no public endpoint.
provider "kubernetes" {
  host  = module.fleet_argocd_sync.argocd_gateway_url
  token = data.google_client_config.current.access_token
}

provider "helm" {
  kubernetes = {
    host  = module.fleet_argocd_sync.argocd_gateway_url
    token = data.google_client_config.current.access_token
  }
}

resource "helm_release" "argocd" {
  count            = var.install_argocd ? 1 : 0
  name             = "argocd"
  repository       = "https://argoproj.github.io/argo-helm"
  chart            = "argo-cd"
  version          = "7.7.0"
  namespace        = "argocd"
  create_namespace = true
  depends_on       = [google_container_cluster.clusters]
}

resource "kubernetes_role_v1" "sync" {
  count = var.apply_rbac ? 1 : 0
  metadata {
    name      = "fleet-argocd-sync"
    namespace = "argocd"
  }
  rule {
    api_groups = [""]
    resources  = ["secrets"]
    verbs      = ["get", "list", "create", "update", "patch", "delete"]
  }
  depends_on = [helm_release.argocd]
}

resource "kubernetes_role_binding_v1" "sync" {
  count = var.apply_rbac ? 1 : 0
  metadata {
    name      = "fleet-argocd-sync"
    namespace = "argocd"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.sync[0].metadata[0].name
  }
  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "User"
    name      = module.fleet_argocd_sync.function_service_account_email
  }
}
