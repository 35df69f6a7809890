output "log_sink_writer_identities" {
  description = "Writer identity of each Logging sink, by fleet project ID (or by log_sink_parent)."
  value       = module.fleet_argocd_sync.log_sink_writer_identities
}

output "push_subscription" {
  description = "The Pub/Sub push subscription that delivers both fleets' audit entries to the function."
  value       = module.fleet_argocd_sync.push_subscription
}

output "rbac_manifests" {
  description = "The RBAC the function needs in each Argo CD cluster, by target (applied here)."
  value       = module.fleet_argocd_sync.rbac_manifests
}

output "resync_command" {
  description = "Command that requests a full resync of both fleets into both targets now."
  value       = module.fleet_argocd_sync.resync_command
}
