# fleet-argocd-sync: a Cloud Run function that keeps Argo CD cluster Secrets equal to the fleet,
# driven by Cloud Audit Logs through Eventarc and by an hourly Cloud Scheduler resync.
# Files by concern: identities.tf, function.tf, triggers.tf, scheduler.tf, rbac.tf, monitoring.tf.

locals {
  function_dir = "${path.module}/../function"

  # The one list of handled audit-log methods, shared with the function (fleetsync/events.py).
  audit_methods = jsondecode(file("${local.function_dir}/fleetsync/audit_methods.json")).methods

  # Eventarc audit-log triggers match one exact methodName each.
  triggers = {
    for m in local.audit_methods :
    format("%s-%s-%s-%s",
      var.name,
      split(".", m.serviceName)[0],
      split(".", m.methodName)[length(split(".", m.methodName)) - 3],
      lower(split(".", m.methodName)[length(split(".", m.methodName)) - 1]),
    ) => m
  }

  # Keys are the names Settings.from_env reads (function/fleetsync/settings.py), plus the
  # project main.py gives Cloud Logging for trace correlation.
  function_env = merge(
    {
      GOOGLE_CLOUD_PROJECT          = var.project_id
      FLEET_PROJECT_NUMBER          = var.fleet_project_number
      ARGOCD_MEMBERSHIP             = var.argocd_membership
      ARGOCD_NAMESPACE              = var.argocd_namespace
      MAX_DELETE_FRACTION           = tostring(var.max_delete_fraction)
      SYNC_CONCURRENCY              = tostring(var.sync_concurrency)
      GATEWAY_MAX_WRITES_PER_MINUTE = tostring(var.gateway_max_writes_per_minute)
      DRY_RUN                       = tostring(var.dry_run)
    },
    var.argocd_project == null ? {} : { ARGOCD_PROJECT = var.argocd_project },
    var.membership_selector == null ? {} : { MEMBERSHIP_SELECTOR = var.membership_selector },
  )

  # The function reads the fleet and reaches the Argo CD cluster through Connect Gateway only.
  function_roles = ["roles/gkehub.viewer", "roles/gkehub.gatewayEditor"]

  apis = [
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "connectgateway.googleapis.com",
    "eventarc.googleapis.com",
    "gkehub.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "storage.googleapis.com",
  ]

  argocd_location = split("/", var.argocd_membership)[0]
  argocd_id       = split("/", var.argocd_membership)[1]

  # Google-managed service agents that encrypt with kms_key_name when it is set: Cloud Run
  # functions, Cloud Run, Artifact Registry and Cloud Storage.
  kms_service_agents = var.kms_key_name == null ? [] : [
    "serviceAccount:service-${data.google_project.this.number}@gcf-admin-robot.iam.gserviceaccount.com",
    "serviceAccount:service-${data.google_project.this.number}@serverless-robot-prod.iam.gserviceaccount.com",
    "serviceAccount:service-${data.google_project.this.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com",
    "serviceAccount:service-${data.google_project.this.number}@gs-project-accounts.iam.gserviceaccount.com",
  ]
}

resource "google_project_service" "apis" {
  for_each           = var.enable_apis ? toset(local.apis) : toset([])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

data "google_project" "this" {
  project_id = var.project_id
}
