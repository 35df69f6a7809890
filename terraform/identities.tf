# Four service accounts, each with only what its job needs.

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

resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = "${var.name}-events"
  display_name = "fleet-argocd-sync Eventarc triggers"
  description  = "Identity Eventarc uses to deliver audit-log events to the function."
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "${var.name}-resync"
  display_name = "fleet-argocd-sync scheduled resync"
  description  = "Identity Cloud Scheduler uses to call POST /resync on the function."
}

# Project-wide, because Connect Gateway documents its roles on the project only; what the
# function may do inside a cluster is decided by that cluster's RBAC (rbac.tf).
resource "google_project_iam_member" "function" {
  for_each = toset(local.function_roles)
  project  = var.project_id
  role     = each.value
  member   = google_service_account.function.member
}

resource "google_project_iam_member" "trigger_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger.member
}

# The build writes its logs; reading the source and pushing the image are granted on the
# bucket and the repository alone (function.tf).
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
