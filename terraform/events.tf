# From the audit topic to the function: the Logging sinks (sinks.tf) publish each matching
# audit entry to one topic in project_id; a push subscription posts it to the function with an
# OIDC token of the push identity. A push subscription rather than an Eventarc Pub/Sub trigger:
# its retry and dead-letter policies are ours to set, and it needs no Eventarc service agent.
# What Pub/Sub cannot deliver after max_delivery_attempts goes to a dead-letter topic, kept for
# a week on its own subscription and alerted on (monitoring.tf); the hourly resync converges
# whatever it held.

locals {
  # How long Pub/Sub waits for the function's answer before it tries again: the function's
  # timeout, within push's limit of 600 seconds.
  push_ack_deadline_seconds = min(local.timeout_seconds, 600)
  max_delivery_attempts     = 10
  retention                 = "604800s" # 7 days, Pub/Sub's default and maximum
}

resource "google_pubsub_topic" "events" {
  project      = var.project_id
  name         = "${var.name}-audit"
  kms_key_name = var.kms_key_name
  labels       = var.labels

  # Stored where the function runs, so a regional kms_key_name can encrypt it.
  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.apis, google_kms_crypto_key_iam_member.service_agents]
}

resource "google_pubsub_topic" "dead_letters" {
  project      = var.project_id
  name         = "${var.name}-dead-letters"
  kms_key_name = var.kms_key_name
  labels       = var.labels

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.apis, google_kms_crypto_key_iam_member.service_agents]
}

resource "google_pubsub_subscription" "push" {
  project                    = var.project_id
  name                       = "${var.name}-push"
  topic                      = google_pubsub_topic.events.id
  labels                     = var.labels
  ack_deadline_seconds       = local.push_ack_deadline_seconds
  message_retention_duration = local.retention

  expiration_policy {
    ttl = "" # never expires, however long no fleet changes
  }

  # Answers other than 2xx (503 for what may succeed later, 429 when every instance is busy)
  # are retried with exponential backoff.
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letters.id
    max_delivery_attempts = local.max_delivery_attempts
  }

  # The wrapped push body ({"message": {"data": ...}, "subscription"}) is what the function reads.
  push_config {
    push_endpoint = "${google_cloudfunctions2_function.sync.service_config[0].uri}/"
    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = google_cloudfunctions2_function.sync.service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.invokers]
}

resource "google_pubsub_subscription" "dead_letters" {
  project                    = var.project_id
  name                       = "${var.name}-dead-letters"
  topic                      = google_pubsub_topic.dead_letters.id
  labels                     = var.labels
  message_retention_duration = local.retention

  expiration_policy {
    ttl = ""
  }
}

# Dead lettering, as Pub/Sub documents it: its service agent publishes to the dead-letter topic
# and acknowledges the forwarded message on the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letters.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  project      = var.project_id
  subscription = google_pubsub_subscription.push.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
