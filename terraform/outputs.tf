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

output "trigger_service_account_email" {
  description = "Service account Eventarc uses to deliver audit-log events to the function."
  value       = google_service_account.trigger.email
}

output "scheduler_service_account_email" {
  description = "Service account Cloud Scheduler uses to call POST /resync."
  value       = google_service_account.scheduler.email
}

output "trigger_names" {
  description = "Names of the Eventarc triggers, one per handled audit-log method."
  value       = sort(keys(google_eventarc_trigger.audit))
}

output "rbac_manifest" {
  description = "Role and RoleBinding that let the function manage Secrets in the Argo CD namespace only; apply it in the Argo CD cluster (kubectl apply -f -)."
  value       = local.rbac_manifest
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
  description = "Connect Gateway URL of the Argo CD cluster, for a kubernetes provider that applies rbac_manifest."
  value       = format("https://%sconnectgateway.googleapis.com/v1/projects/%s/locations/%s/gkeMemberships/%s", local.argocd_location == "global" ? "" : "${local.argocd_location}-", var.fleet_project_number, local.argocd_location, local.argocd_id)
}

output "build_service_account_email" {
  description = "Service account Cloud Build uses to build the function's image (not the default compute one)."
  value       = google_service_account.build.email
}

output "rbac_verbs" {
  description = "Verbs the function holds on Secrets in the Argo CD namespace: exactly the calls it makes."
  value       = local.rbac_verbs
}

output "log_metric_names" {
  description = "Names of the log-based metrics (empty when enable_log_metrics is false)."
  value       = sort([for m in google_logging_metric.sync : m.name])
}

output "resync_alert_policy" {
  description = "ID of the alert policy that fires when no complete resync succeeded for two schedule periods, or null when off."
  value       = one(google_monitoring_alert_policy.resync_overdue[*].id)
}
