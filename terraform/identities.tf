# Four service accounts, each with only what its job needs; in the multi form, three more in each
# receiver's project (the function's, the build's and Eventarc's), because a service account is
# only attached across projects where the organisation allows it
# (iam.disableCrossProjectServiceAccountUsage, enforced by default in newer organisations).

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

resource "google_service_account" "receiver" {
  for_each     = local.receivers
  project      = each.key
  account_id   = var.name
  display_name = "fleet-argocd-sync event receiver"
  description  = "Takes this fleet project's audit-log events; reads GKE Hub and writes Argo CD cluster Secrets through Connect Gateway."
}

resource "google_service_account" "receiver_build" {
  for_each     = local.receivers
  project      = each.key
  account_id   = "${var.name}-build"
  display_name = "fleet-argocd-sync receiver build"
  description  = "Builds the receiver's image with Cloud Build, instead of the default compute service account."
}

resource "google_service_account" "receiver_trigger" {
  for_each     = local.receivers
  project      = each.key
  account_id   = "${var.name}-events"
  display_name = "fleet-argocd-sync Eventarc triggers"
  description  = "Identity Eventarc uses to deliver this project's audit-log events to the receiver."
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

# A receiver handles events that may concern any fleet or target, so it holds the same grants.
resource "google_project_iam_member" "receiver" {
  for_each = {
    for pair in setproduct(keys(local.receivers), keys(local.function_grants)) :
    "${pair[0]}:${pair[1]}" => merge(local.function_grants[pair[1]], { receiver = pair[0] })
  }
  project = each.value.project
  role    = each.value.role
  member  = google_service_account.receiver[each.value.receiver].member
}

resource "google_project_iam_member" "trigger_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger.member
}

resource "google_project_iam_member" "receiver_trigger_receiver" {
  for_each = local.receivers
  project  = each.key
  role     = "roles/eventarc.eventReceiver"
  member   = google_service_account.receiver_trigger[each.key].member
}

# The build writes its logs; reading the source and pushing the image are granted on the
# bucket and the repository alone (build.tf).
resource "google_project_iam_member" "build_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.build.member
}

resource "google_project_iam_member" "receiver_build_logs" {
  for_each = local.receivers
  project  = each.key
  role     = "roles/logging.logWriter"
  member   = google_service_account.receiver_build[each.key].member
}

resource "google_kms_crypto_key_iam_member" "service_agents" {
  for_each      = toset(local.kms_service_agents)
  crypto_key_id = var.kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value
}
