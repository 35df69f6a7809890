output "trigger_names" {
  description = "Every Eventarc trigger, as {project_id}/{name}: one per handled method in each fleet project."
  value       = module.fleet_argocd_sync.trigger_names
}

output "receivers" {
  description = "The receiver in the second fleet project."
  value       = module.fleet_argocd_sync.receivers
}

output "rbac_manifests" {
  description = "The RBAC the function needs in each Argo CD cluster, by target (applied here)."
  value       = module.fleet_argocd_sync.rbac_manifests
}

output "resync_command" {
  description = "Command that requests a full resync of both fleets into both targets now."
  value       = module.fleet_argocd_sync.resync_command
}
