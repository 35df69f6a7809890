# How Terraform reaches Google Cloud and the clusters. No access token is read into Terraform:
# the kubernetes and helm providers run gke-gcloud-auth-plugin (installed with
# `gcloud components install gke-gcloud-auth-plugin`) for a fresh token on every call, and
# provider configurations are never written to the state. (A data "google_client_config"
# access_token, the usual shortcut, would be stored in the state in clear text.)

provider "google" {
  project = var.project_id
  region  = var.region
}

locals {
  exec_auth = {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "gke-gcloud-auth-plugin"
  }
}

# The Argo CD cluster, through Connect Gateway: no public endpoint is needed.
provider "kubernetes" {
  host = module.fleet_argocd_sync.argocd_gateway_url
  exec {
    api_version = local.exec_auth.api_version
    command     = local.exec_auth.command
  }
}

# The workload cluster, through Connect Gateway too, for Argo CD's RBAC there.
provider "kubernetes" {
  alias = "workload"
  host  = local.gateway_urls[local.workload]
  exec {
    api_version = local.exec_auth.api_version
    command     = local.exec_auth.command
  }
}

provider "helm" {
  kubernetes = {
    host = module.fleet_argocd_sync.argocd_gateway_url
    exec = local.exec_auth
  }
}
