# How Terraform reaches Google Cloud and the two Argo CD hubs: through Connect Gateway, with
# gke-gcloud-auth-plugin fetching a token on each call, so no token is written to the state.

provider "google" {
  project = var.fleet_a_project_id
  region  = var.region
}

provider "kubernetes" {
  alias = "prod"
  host  = module.fleet_argocd_sync.argocd_gateway_urls["prod"]
  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "gke-gcloud-auth-plugin"
  }
}

provider "kubernetes" {
  alias = "teams"
  host  = module.fleet_argocd_sync.argocd_gateway_urls["teams"]
  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "gke-gcloud-auth-plugin"
  }
}
