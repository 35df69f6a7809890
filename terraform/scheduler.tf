# The safety net: a full resync on a schedule, whatever events were missed.

locals {
  resync_command = "gcloud scheduler jobs run ${google_cloud_scheduler_job.resync.name} --location=${var.region} --project=${var.project_id}"
}

resource "google_cloud_scheduler_job" "resync" {
  project          = var.project_id
  region           = var.region
  name             = "${var.name}-resync"
  description      = "Safety-net full resync of the Argo CD cluster Secrets."
  schedule         = var.resync_schedule
  time_zone        = var.resync_time_zone
  attempt_deadline = "${local.resync_window_seconds}s"

  retry_config {
    retry_count          = local.scheduler_retry_count
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
