# The function and its invokers; in the multi form, a receiver (the same function, built from
# the same source object, with the same environment) in each other fleet project, because
# Eventarc delivers only to a service in the trigger's own project (triggers.tf). What they
# are built from is build.tf's.

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
    timeout_seconds  = var.timeout_seconds
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

# Same source object, same environment (but for the project Cloud Logging correlates traces in);
# one request per instance. Its scheduled resync is project_id's alone.
resource "google_cloudfunctions2_function" "receiver" {
  for_each     = local.receivers
  project      = each.key
  name         = var.name
  location     = var.region
  description  = "Takes the audit-log events of fleet ${each.value.project_number} for fleet-argocd-sync in ${var.project_id}."
  labels       = var.labels
  kms_key_name = var.kms_key_name

  build_config {
    runtime           = var.runtime
    entry_point       = "fleet_sync"
    service_account   = google_service_account.receiver_build[each.key].id
    docker_repository = google_artifact_registry_repository.receiver_images[each.key].id
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory                 = "256M"
    timeout_seconds                  = var.timeout_seconds
    min_instance_count               = 0
    max_instance_count               = var.max_instance_count
    max_instance_request_concurrency = 1
    ingress_settings                 = var.ingress_settings
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.receiver[each.key].email
    environment_variables            = merge(local.function_env, { GOOGLE_CLOUD_PROJECT = each.key })
  }

  depends_on = [
    google_project_service.receiver_apis,
    google_project_iam_member.receiver,
    google_project_iam_member.receiver_build_logs,
    google_storage_bucket_iam_member.receiver_build_reads_source,
    google_artifact_registry_repository_iam_member.receiver_build_pushes_images,
    google_kms_crypto_key_iam_member.service_agents,
  ]
}

# Only the receiver's Eventarc identity invokes it; manual resyncs go to the function.
resource "google_cloud_run_v2_service_iam_member" "receiver_invoker" {
  for_each = local.receivers
  project  = each.key
  location = var.region
  name     = google_cloudfunctions2_function.receiver[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.receiver_trigger[each.key].member
}
