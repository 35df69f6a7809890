# fleet-argocd-sync: a Cloud Run function that keeps Argo CD cluster Secrets equal to the fleet,
# driven by Cloud Audit Logs through Eventarc and by an hourly Cloud Scheduler resync.
# Files by concern: fleets.tf (what it serves), identities.tf, build.tf, function.tf,
# triggers.tf, scheduler.tf, rbac.tf, monitoring.tf.

locals {
  function_dir = "${path.module}/../function"

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
  # A receiver's project builds and runs a copy of the function and holds its triggers; the
  # scheduler job and the source bucket stay in project_id.
  receiver_apis = {
    for pair in setproduct(keys(local.receivers), setsubtract(local.apis, ["cloudscheduler.googleapis.com", "storage.googleapis.com"])) :
    "${pair[0]}/${pair[1]}" => { project = pair[0], service = pair[1] }
  }

  # Google-managed service agents that encrypt with kms_key_name when it is set: Cloud Run
  # functions, Cloud Run, Artifact Registry and Cloud Storage; in project_id and, but for the
  # bucket, in each receiver's project.
  kms_service_agents = var.kms_key_name == null ? [] : concat(
    [
      "serviceAccount:service-${data.google_project.this.number}@gcf-admin-robot.iam.gserviceaccount.com",
      "serviceAccount:service-${data.google_project.this.number}@serverless-robot-prod.iam.gserviceaccount.com",
      "serviceAccount:service-${data.google_project.this.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com",
      "serviceAccount:service-${data.google_project.this.number}@gs-project-accounts.iam.gserviceaccount.com",
    ],
    flatten([
      for f in values(local.receivers) : [
        "serviceAccount:service-${f.project_number}@gcf-admin-robot.iam.gserviceaccount.com",
        "serviceAccount:service-${f.project_number}@serverless-robot-prod.iam.gserviceaccount.com",
        "serviceAccount:service-${f.project_number}@gcp-sa-artifactregistry.iam.gserviceaccount.com",
      ]
    ]),
  )
}

resource "google_project_service" "apis" {
  for_each           = var.enable_apis ? toset(local.apis) : toset([])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_project_service" "receiver_apis" {
  for_each           = var.enable_apis ? local.receiver_apis : {}
  project            = each.value.project
  service            = each.value.service
  disable_on_destroy = false
}

data "google_project" "this" {
  project_id = var.project_id
}
