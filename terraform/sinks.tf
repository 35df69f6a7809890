# Cloud Audit Logs entries of the handled methods (fleets.tf builds the filter from
# audit_methods.json), routed by Cloud Logging sinks into the one topic in project_id
# (events.tf). An Eventarc audit-log trigger sees only its own project's logs and delivers only
# to a service in that project; a sink's destination may be in another project, so one function
# serves every fleet. Either one sink per fleet project, or, with log_sink_parent, one sink on
# a folder or organisation with include_children, which also covers projects created later.

resource "google_logging_project_sink" "audit" {
  for_each    = local.project_sinks
  project     = each.key
  name        = "${var.name}-audit"
  description = "Audit-log entries of fleet changes, for fleet-argocd-sync in ${var.project_id}."
  destination = "pubsub.googleapis.com/${google_pubsub_topic.events.id}"
  filter      = local.log_sink_filter
  # Its own writer identity, granted publishing on the topic alone.
  unique_writer_identity = true

  depends_on = [google_project_service.apis, google_project_service.fleet_apis]
}

resource "google_logging_folder_sink" "audit" {
  count            = local.sink_parent.kind == "folders" ? 1 : 0
  folder           = local.sink_parent.id
  name             = "${var.name}-audit"
  description      = "Audit-log entries of fleet changes under this folder, for fleet-argocd-sync in ${var.project_id}."
  destination      = "pubsub.googleapis.com/${google_pubsub_topic.events.id}"
  filter           = local.log_sink_filter
  include_children = true
}

resource "google_logging_organization_sink" "audit" {
  count            = local.sink_parent.kind == "organizations" ? 1 : 0
  org_id           = local.sink_parent.id
  name             = "${var.name}-audit"
  description      = "Audit-log entries of fleet changes in this organisation, for fleet-argocd-sync in ${var.project_id}."
  destination      = "pubsub.googleapis.com/${google_pubsub_topic.events.id}"
  filter           = local.log_sink_filter
  include_children = true
}

locals {
  # Each sink's writer identity (serviceAccount:...), by the keys of local.sink_keys.
  sink_writer_identities = merge(
    { for id, sink in google_logging_project_sink.audit : id => sink.writer_identity },
    { for sink in google_logging_folder_sink.audit : var.log_sink_parent => sink.writer_identity },
    { for sink in google_logging_organization_sink.audit : var.log_sink_parent => sink.writer_identity },
  )
}

# Publishing on the audit topic, and nothing else, for each sink's writer identity.
resource "google_pubsub_topic_iam_member" "sink_writers" {
  for_each = toset(local.sink_keys)
  project  = var.project_id
  topic    = google_pubsub_topic.events.name
  role     = "roles/pubsub.publisher"
  member   = local.sink_writer_identities[each.key]
}
