# The function and its invokers: one function for every fleet, whose audit entries reach it
# through the Logging sinks and the Pub/Sub push subscription (sinks.tf, events.tf). What it is
# built from is build.tf's.

resource "google_cloudfunctions2_function" "sync" {
  project      = var.project_id
  name         = var.name
  location     = var.region
  description  = "Keeps Argo CD cluster Secrets equal to the memberships of fleet ${join(", ", [for f in local.fleets : f.project_number])}."
  labels       = var.labels
  kms_key_name = var.kms_key_name

  build_config {
    runtime           = var.runtime
    entry_point       = "fleet_sync"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.images.id
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory = "256M"
    timeout_seconds  = local.timeout_seconds
    # Scales to zero. One request per instance (Cloud Run needs a whole vCPU for more); a
    # resync holds one instance for up to timeout_seconds and events use the others.
    min_instance_count               = 0
    max_instance_count               = var.max_instance_count
    max_instance_request_concurrency = 1
    ingress_settings                 = var.ingress_settings
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.function.email
    environment_variables            = local.function_env
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.function,
    google_project_iam_member.build_logs,
    google_storage_bucket_iam_member.build_reads_source,
    google_artifact_registry_repository_iam_member.build_pushes_images,
    google_kms_crypto_key_iam_member.service_agents,
  ]
}

# Only the push and scheduler identities, and the principals the user lists, may invoke it.
resource "google_cloud_run_v2_service_iam_member" "invokers" {
  for_each = merge(
    {
      push      = google_service_account.push.member
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

moved {
  from = google_cloud_run_v2_service_iam_member.invokers["trigger"]
  to   = google_cloud_run_v2_service_iam_member.invokers["push"]
}
