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
  description = "Names of the Eventarc triggers, one per handled audit-log method and fleet project; in the multi form as {project_id}/{name}."
  value = sort(concat(
    [for name, t in google_eventarc_trigger.audit : local.multi ? "${var.project_id}/${name}" : name],
    keys(google_eventarc_trigger.receiver),
  ))
}

output "receivers" {
  description = "Multi form: the receiver deployed in each fleet project other than project_id, by project ID (function name and service account); empty in the single form."
  value = {
    for id, f in google_cloudfunctions2_function.receiver : id => {
      function_name         = f.name
      service_account_email = google_service_account.receiver[id].email
    }
  }
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
