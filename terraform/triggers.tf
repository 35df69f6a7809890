# One Eventarc trigger per handled audit-log method (main.tf reads them from audit_methods.json).

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
