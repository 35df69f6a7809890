# One Eventarc trigger per handled audit-log method (fleets.tf reads them from audit_methods.json)
# in every fleet project: an audit-log trigger only sees its own project's logs. Eventarc delivers
# only to a Cloud Run service in the trigger's project ("Cross-project triggers are not yet
# supported. The service that receives the events for the trigger must be in the same Google
# Cloud project as the trigger": https://cloud.google.com/eventarc/docs/issues; the API's
# CloudRun.service: "Only services located in the same project of the trigger object can be
# addressed"), so project_id's triggers call the function and another fleet project's call that
# project's receiver (function.tf). Both get the same google.cloud.audit.log.v1.written events.

resource "google_eventarc_trigger" "audit" {
  for_each = local.home_triggers
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

resource "google_eventarc_trigger" "receiver" {
  for_each        = local.receiver_triggers
  project         = each.value.project_id
  name            = each.value.name
  location        = "global"
  service_account = google_service_account.receiver_trigger[each.value.project_id].email
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
      service = google_cloudfunctions2_function.receiver[each.value.project_id].name
      region  = var.region
      path    = "/"
    }
  }

  depends_on = [google_project_iam_member.receiver_trigger_receiver, google_cloud_run_v2_service_iam_member.receiver_invoker]
}
