output "function_uri" {
  description = "URL of the deployed function."
  value       = module.fleet_argocd_sync.function_uri
}

output "resync_command" {
  description = "Command that requests a full resync now."
  value       = module.fleet_argocd_sync.resync_command
}

output "rbac_manifest" {
  description = "The RBAC the function needs in the Argo CD cluster (applied here when apply_rbac is true)."
  value       = module.fleet_argocd_sync.rbac_manifest
}
