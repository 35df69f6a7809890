# What the function is built from: the source zip of ../function in its bucket, named by its
# hash so every code change redeploys; the image repository Cloud Build pushes to; and the
# build identity's access to both.

resource "google_storage_bucket" "source" {
  # checkov:skip=CKV_GCP_62:Holds only the function's source zip; object access is logged by Cloud Audit Logs.
  project                     = var.project_id
  name                        = "${var.project_id}-${var.name}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = var.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      num_newer_versions = 3
    }
    action {
      type = "Delete"
    }
  }

  dynamic "encryption" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }

  depends_on = [google_project_service.apis, google_kms_crypto_key_iam_member.service_agents]
}

resource "google_storage_bucket_iam_member" "build_reads_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.build.member
}

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = var.region
  repository_id = "${var.name}-images"
  description   = "Images Cloud Build makes from the function's source."
  format        = "DOCKER"
  kms_key_name  = var.kms_key_name
  labels        = var.labels

  depends_on = [google_project_service.apis, google_kms_crypto_key_iam_member.service_agents]
}

resource "google_artifact_registry_repository_iam_member" "build_pushes_images" {
  project    = var.project_id
  location   = var.region
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.build.member
}

data "archive_file" "function" {
  type        = "zip"
  source_dir  = local.function_dir
  output_path = "${path.root}/.terraform/tmp/${var.name}-source.zip"
  excludes    = ["fleetsync/__pycache__", "__pycache__"]
}

resource "google_storage_bucket_object" "source" {
  # Named by content hash, so a code change uploads a new object and redeploys the function.
  name   = "${var.name}-${data.archive_file.function.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.function.output_path
}
