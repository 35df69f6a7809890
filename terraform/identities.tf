# Four service accounts in project_id, each with only what its job needs. The fleet projects get
# no identity of ours: their Logging sinks write with Google-managed writer identities (sinks.tf).

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = var.name
  display_name = "fleet-argocd-sync function"
  description  = "Reads GKE Hub and writes Argo CD cluster Secrets through Connect Gateway."
}

resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "${var.name}-build"
  display_name = "fleet-argocd-sync build"
  description  = "Builds the function's image with Cloud Build, instead of the default compute service account."
}

# The account of the Eventarc triggers this route replaced, kept (same account_id) so an upgrade
# does not recreate it.
resource "google_service_account" "push" {
  project      = var.project_id
  account_id   = "${var.name}-events"
  display_name = "fleet-argocd-sync audit-entry push"
  description  = "Identity in the OIDC token of the Pub/Sub push subscription that delivers audit-log entries to the function."
}

moved {
  from = google_service_account.trigger
  to   = google_service_account.push
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "${var.name}-resync"
  display_name = "fleet-argocd-sync scheduled resync"
  description  = "Identity Cloud Scheduler uses to call POST /resync on the function."
}

# Project-wide, because Connect Gateway documents its roles on the project only; what the
# function may do inside a cluster is decided by that cluster's RBAC (rbac.tf). gkehub.viewer in
# every fleet project, gkehub.gatewayEditor where an Argo CD cluster's membership is (fleets.tf).
resource "google_project_iam_member" "function" {
  for_each = local.function_grants
  project  = each.value.project
  role     = each.value.role
  member   = google_service_account.function.member
}

# The build writes its logs; reading the source and pushing the image are granted on the
# bucket and the repository alone (build.tf).
resource "google_project_iam_member" "build_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.build.member
}

resource "google_kms_crypto_key_iam_member" "service_agents" {
  for_each      = toset(local.kms_service_agents)
  crypto_key_id = var.kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value
}
