# fleet-argocd-sync: a Cloud Run function that keeps Argo CD cluster Secrets equal to the fleet,
# driven by Cloud Audit Logs (routed by Logging sinks to a Pub/Sub topic, pushed to the function)
# and by an hourly Cloud Scheduler resync.
# Files by concern: fleets.tf (what it serves), identities.tf, build.tf, function.tf,
# sinks.tf (audit entries into the topic), events.tf (the topic to the function), scheduler.tf,
# rbac.tf, monitoring.tf.

locals {
  function_dir = "${path.module}/../function"

  apis = [
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "connectgateway.googleapis.com",
    "gkehub.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "storage.googleapis.com",
  ]
  # Every other fleet project: the function reads its fleet and may reach an Argo CD cluster
  # there through Connect Gateway; its Logging sink routes its audit entries.
  fleet_apis = {
    for pair in setproduct(
      [for f in local.fleets : f.project_id if f.project_id != var.project_id],
      ["connectgateway.googleapis.com", "gkehub.googleapis.com", "logging.googleapis.com"],
    ) : "${pair[0]}/${pair[1]}" => { project = pair[0], service = pair[1] }
  }

  # The Pub/Sub service agent of project_id: it signs the push requests' tokens, forwards
  # dead letters (events.tf) and, with kms_key_name, encrypts the topics.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  # Google-managed service agents of project_id that encrypt with kms_key_name when it is set:
  # Cloud Run functions, Cloud Run, Artifact Registry, Cloud Storage and Pub/Sub.
  kms_service_agents = var.kms_key_name == null ? [] : [
    "serviceAccount:service-${data.google_project.this.number}@gcf-admin-robot.iam.gserviceaccount.com",
    "serviceAccount:service-${data.google_project.this.number}@serverless-robot-prod.iam.gserviceaccount.com",
    "serviceAccount:service-${data.google_project.this.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com",
    "serviceAccount:service-${data.google_project.this.number}@gs-project-accounts.iam.gserviceaccount.com",
    local.pubsub_service_agent,
  ]
}

resource "google_project_service" "apis" {
  for_each           = var.enable_apis ? toset(local.apis) : toset([])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_project_service" "fleet_apis" {
  for_each           = var.enable_apis ? local.fleet_apis : {}
  project            = each.value.project
  service            = each.value.service
  disable_on_destroy = false
}

data "google_project" "this" {
  project_id = var.project_id
}
