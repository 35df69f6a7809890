output "function_name" {
  description = "Name of the Cloud Run function."
  value       = google_cloudfunctions2_function.sync.name
}

output "function_uri" {
  description = "HTTPS URL of the function (IAM-authenticated; internal ingress by default)."
  value       = google_cloudfunctions2_function.sync.service_config[0].uri
}

output "function_service_account_email" {
  description = "Service account the function runs as; bind it in the Argo CD cluster with rbac_manifest."
  value       = google_service_account.function.email
}

output "push_service_account_email" {
  description = "Service account in the OIDC token of the Pub/Sub push subscription that delivers audit-log entries to the function."
  value       = google_service_account.push.email
}

output "scheduler_service_account_email" {
  description = "Service account Cloud Scheduler uses to call POST /resync."
  value       = google_service_account.scheduler.email
}

output "audit_topic" {
  description = "Pub/Sub topic (projects/P/topics/T) the Logging sinks route the handled audit-log entries to."
  value       = google_pubsub_topic.events.id
}

output "push_subscription" {
  description = "Pub/Sub push subscription (projects/P/subscriptions/S) that delivers the audit topic to the function."
  value       = google_pubsub_subscription.push.id
}

output "dead_letter_topic" {
  description = "Pub/Sub topic that receives the entries the push subscription could not deliver."
  value       = google_pubsub_topic.dead_letters.id
}

output "dead_letter_subscription" {
  description = "Pull subscription that keeps the dead-lettered entries for 7 days, for inspection."
  value       = google_pubsub_subscription.dead_letters.id
}

output "log_sink_writer_identities" {
  description = "Writer identity of each Logging sink, by fleet project ID (or by log_sink_parent); each may publish on audit_topic only."
  value       = local.sink_writer_identities
}

output "rbac_manifest" {
  description = "Single form: Role and RoleBinding that let the function manage Secrets in the Argo CD namespace only; apply it in the Argo CD cluster (kubectl apply -f -). Null in the multi form (see rbac_manifests)."
  value       = local.rbac_manifest
}

output "rbac_manifests" {
  description = "Role and RoleBinding per target name (the single form's one target is named after the function); apply each in its target's Argo CD cluster. With tenancy on they also cover appprojects."
  value       = local.rbac_manifests
}

output "resync_command" {
  description = "Command that requests a full resync now, through the scheduler job (works with internal ingress)."
  value       = local.resync_command
}

output "dry_run_command" {
  description = "Command that asks the function for a dry-run report; needs ingress_settings = ALLOW_ALL and your principal in invoker_members."
  value       = "curl -X POST -H \"Authorization: Bearer $(gcloud auth print-identity-token)\" '${google_cloudfunctions2_function.sync.service_config[0].uri}/resync?dry_run=true'"
}

output "argocd_gateway_url" {
  description = "Single form: Connect Gateway URL of the Argo CD cluster, for a kubernetes provider that applies rbac_manifest. Null in the multi form (see argocd_gateway_urls)."
  value       = local.multi ? null : local.argocd_gateway_urls[var.name]
}

output "argocd_gateway_urls" {
  description = "Connect Gateway URL of each target's Argo CD cluster, by target name, for kubernetes providers that apply rbac_manifests."
  value       = local.argocd_gateway_urls
}

output "build_service_account_email" {
  description = "Service account Cloud Build uses to build the function's image (not the default compute one)."
  value       = google_service_account.build.email
}

output "resync_capacity" {
  description = "What a resync can do at these settings (pacing.tf): each instance's write budget per fleet project, the function's timeout, the second after which a resync starts no write, the writes that fit before it, and (with expected_cluster_secrets) how long a first sync takes and in how many runs."
  value = {
    writes_per_minute_per_instance = local.writes_per_minute_per_instance
    timeout_seconds                = local.timeout_seconds
    resync_deadline_seconds        = local.resync_deadline_seconds
    writes_per_resync              = local.writes_per_resync
    first_sync_seconds             = local.first_sync_seconds
    first_sync_runs                = local.first_sync_runs
    scheduler_retry_count          = local.scheduler_retry_count
  }
}

output "rbac_verbs" {
  description = "Verbs the function holds on Secrets in the Argo CD namespace: exactly the calls it makes."
  value       = local.rbac_verbs
}

output "appproject_verbs" {
  description = "Verbs the function holds on AppProjects (argoproj.io) in a target's namespace when that target's tenancy is enabled."
  value       = local.appproject_verbs
}

output "log_metric_names" {
  description = "Names of the log-based metrics (empty when enable_log_metrics is false)."
  value       = sort([for m in google_logging_metric.sync : m.name])
}

output "resync_alert_policy" {
  description = "ID of the alert policy that fires when no complete resync succeeded for two schedule periods, or null when off."
  value       = one(google_monitoring_alert_policy.resync_overdue[*].id)
}

output "dead_letter_alert_policy" {
  description = "ID of the alert policy that fires when an audit entry is dead-lettered, or null when off."
  value       = one(google_monitoring_alert_policy.dead_letters[*].id)
}
