# fleet-argocd-sync: a Cloud Run function that keeps Argo CD cluster Secrets equal to the fleet,
# driven by Cloud Audit Logs through Eventarc and by an hourly Cloud Scheduler resync.

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
}

resource "google_project_service" "apis" {
  for_each           = var.enable_apis ? toset(local.apis) : toset([])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# --- identities ----------------------------------------------------------------------------

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = var.name
  display_name = "fleet-argocd-sync function"
  description  = "Reads GKE Hub and writes Argo CD cluster Secrets through Connect Gateway."
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

# --- the function ---------------------------------------------------------------------------

resource "google_storage_bucket" "source" {
  # checkov:skip=CKV_GCP_62:Holds only the function's source zip; object access is logged by Cloud Audit Logs.
  project                     = var.project_id
  name                        = "${var.project_id}-${var.name}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = var.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      num_newer_versions = 3
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

data "archive_file" "function" {
  type        = "zip"
  source_dir  = local.function_dir
  output_path = "${path.root}/.terraform/tmp/${var.name}-source.zip"
  excludes    = ["fleetsync/__pycache__", "__pycache__"]
}

resource "google_storage_bucket_object" "source" {
  # Named by content hash, so a code change uploads a new object and redeploys the function.
  name   = "${var.name}-${data.archive_file.function.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.function.output_path
}

resource "google_cloudfunctions2_function" "sync" {
  project     = var.project_id
  name        = var.name
  location    = var.region
  description = "Keeps Argo CD cluster Secrets equal to the memberships of fleet ${var.fleet_project_number}."
  labels      = var.labels

  build_config {
    runtime     = var.runtime
    entry_point = "fleet_sync"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory               = "256M"
    timeout_seconds                = var.timeout_seconds
    min_instance_count             = 0
    max_instance_count             = var.max_instance_count
    ingress_settings               = var.ingress_settings
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.function.email
    environment_variables          = local.function_env
  }

  depends_on = [google_project_service.apis, google_project_iam_member.function]
}

# Only the trigger and scheduler identities, and the principals the user lists, may invoke it.
resource "google_cloud_run_v2_service_iam_member" "invokers" {
  for_each = merge(
    {
      trigger   = google_service_account.trigger.member
      scheduler = google_service_account.scheduler.member
    },
    { for m in var.invoker_members : m => m },
  )
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.sync.name
  role     = "roles/run.invoker"
  member   = each.value
}

# --- events and the safety net ----------------------------------------------------------------

resource "google_eventarc_trigger" "audit" {
  for_each = local.triggers
  project  = var.project_id
  name     = each.key
  # A global audit-log trigger receives the entries of every location; a regional one only its own.
  location        = "global"
  service_account = google_service_account.trigger.email
  labels          = var.labels

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.audit.log.v1.written"
  }
  matching_criteria {
    attribute = "serviceName"
    value     = each.value.serviceName
  }
  matching_criteria {
    attribute = "methodName"
    value     = each.value.methodName
  }

  destination {
    cloud_run_service {
      service = google_cloudfunctions2_function.sync.name # gen2: the Cloud Run service has the function's name
      region  = var.region
      path    = "/"
    }
  }

  depends_on = [google_project_iam_member.trigger_receiver, google_cloud_run_v2_service_iam_member.invokers]
}

resource "google_cloud_scheduler_job" "resync" {
  project          = var.project_id
  region           = var.region
  name             = "${var.name}-resync"
  description      = "Safety-net full resync of the Argo CD cluster Secrets."
  schedule         = var.resync_schedule
  time_zone        = var.resync_time_zone
  attempt_deadline = "${min(var.timeout_seconds, 1800)}s"

  retry_config {
    retry_count          = 2
    min_backoff_duration = "60s"
  }

  http_target {
    http_method = "POST"
    uri         = "${google_cloudfunctions2_function.sync.service_config[0].uri}/resync"
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.sync.service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.invokers]
}

# --- Kubernetes RBAC inside the Argo CD cluster ------------------------------------------------

locals {
  # Connect Gateway presents the service account's email as the Kubernetes user name.
  rbac_manifest = join("---\n", [
    yamlencode({
      apiVersion = "rbac.authorization.k8s.io/v1"
      kind       = "Role"
      metadata   = { name = var.name, namespace = var.argocd_namespace }
      rules = [{
        apiGroups = [""]
        resources = ["secrets"]
        verbs     = ["get", "list", "create", "update", "patch", "delete"]
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
