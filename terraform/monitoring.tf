# Log-based metrics from the function's structured logs (one JSON line per Secret written, one
# summary per run), an alert when no complete resync has succeeded for two schedule periods, and
# one when Pub/Sub dead-letters an audit entry (events.tf).

locals {
  log_source = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${var.name}\""

  # A complete resync: the one summary line of a real (not dry-run) run that converged every
  # target and fleet, Secrets and AppProjects (Report.complete in the function). The per-lane
  # "resync done" lines are not counted: one clean lane must not hide another's failure.
  complete_resync_filter = join(" AND ", [
    local.log_source,
    "jsonPayload.message=\"resync finished\"",
    "jsonPayload.complete=true",
    "jsonPayload.dry_run=false",
  ])

  # Which fleets the alert speaks of: the single form's one, or every fleet of the multi form
  # (where fleet_project_number is null, so it cannot appear in a template).
  fleet_numbers = join(", ", [for f in local.fleets : f.project_number])

  log_metrics = var.enable_log_metrics ? {
    secret_changes = {
      description = "Secrets written by fleet-argocd-sync, by action (create, update, delete)."
      filter      = "${local.log_source} AND jsonPayload.action=(\"create\" OR \"update\" OR \"delete\")"
      label       = "action"
      extractor   = "EXTRACT(jsonPayload.action)"
    }
    errors = {
      description = "Errors logged by fleet-argocd-sync, by kind (the message up to its first colon)."
      filter      = "${local.log_source} AND severity>=ERROR"
      label       = "kind"
      extractor   = "REGEXP_EXTRACT(jsonPayload.message, \"^([^:]{1,80})\")"
    }
    conflicts = {
      description = "Secrets fleet-argocd-sync left alone because another owner holds the name."
      filter      = "${local.log_source} AND jsonPayload.action=\"conflict\""
      label       = null
      extractor   = null
    }
    complete_resyncs = {
      description = "Resyncs that converged every target and fleet, Secrets and AppProjects."
      filter      = local.complete_resync_filter
      label       = null
      extractor   = null
    }
  } : {}
}

resource "google_logging_metric" "sync" {
  for_each    = local.log_metrics
  project     = var.project_id
  name        = "${var.name}/${each.key}"
  description = each.value.description
  filter      = each.value.filter

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"

    dynamic "labels" {
      for_each = each.value.label == null ? [] : [each.value.label]
      content {
        key         = labels.value
        value_type  = "STRING"
        description = each.value.description
      }
    }
  }

  label_extractors = each.value.label == null ? {} : { (each.value.label) = each.value.extractor }
}

resource "google_monitoring_alert_policy" "resync_overdue" {
  count        = var.enable_log_metrics && var.enable_resync_alert ? 1 : 0
  project      = var.project_id
  display_name = "${var.name}: no complete resync for two schedule periods"
  combiner     = "OR"
  severity     = "WARNING"
  user_labels  = var.labels

  conditions {
    display_name = "No complete resync in ${2 * var.resync_period_minutes} minutes"
    condition_absent {
      filter   = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.sync["complete_resyncs"].name}\""
      duration = "${2 * var.resync_period_minutes * 60}s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "fleet-argocd-sync has not completed a resync of fleet project(s) ${local.fleet_numbers} into every Argo CD target for two schedule periods: Argo CD may be missing clusters or holding removed ones. Read the function's errors (`severity>=ERROR`, service ${var.name}) and run `${local.resync_command}`."
  }

  notification_channels = var.alert_notification_channels
}

resource "google_monitoring_alert_policy" "dead_letters" {
  count        = var.enable_dead_letter_alert ? 1 : 0
  project      = var.project_id
  display_name = "${var.name}: audit entries dead-lettered"
  combiner     = "OR"
  severity     = "WARNING"
  user_labels  = var.labels

  conditions {
    display_name = "Pub/Sub forwarded an audit entry to ${google_pubsub_topic.dead_letters.name}"
    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.push.name}\" AND metric.type=\"pubsub.googleapis.com/subscription/dead_letter_message_count\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Pub/Sub gave up pushing an audit entry to ${var.name} after ${local.max_delivery_attempts} attempts; the entry is kept for 7 days in subscription ${google_pubsub_subscription.dead_letters.name}. Read the function's errors (`severity>=ERROR`, service ${var.name}), then run `${local.resync_command}`: a resync converges whatever the entry would have changed."
  }

  notification_channels = var.alert_notification_channels
}
