# fleet-argocd-sync serving two fleets and two Argo CD instances: the multi form. The function
# runs in the first fleet project; each fleet project gets a Logging sink routing its audit
# entries to the function's Pub/Sub topic (or, with log_sink_parent, one folder or organisation
# sink covers both). Target "prod" is a plain Argo CD on the first fleet's hub;
# target "teams", on the second fleet's hub, gets an AppProject per fleet scope (tenancy).
# The clusters, their fleet registration and Argo CD itself are assumed to exist (see
# examples/complete for building them); this applies the function's RBAC in both hubs.

data "google_project" "fleet" {
  for_each   = toset([var.fleet_a_project_id, var.fleet_b_project_id])
  project_id = each.value
}

locals {
  fleet_a_number = data.google_project.fleet[var.fleet_a_project_id].number
  fleet_b_number = data.google_project.fleet[var.fleet_b_project_id].number
}

module "fleet_argocd_sync" {
  source = "../.."

  project_id = var.fleet_a_project_id
  region     = var.region
  # One sink on the folder (or organisation) holding both fleets, instead of one per project;
  # needs roles/logging.configWriter there. Null: a sink in each fleet project.
  log_sink_parent = var.log_sink_parent

  fleets = [
    { project_id = var.fleet_a_project_id, project_number = local.fleet_a_number },
    { project_id = var.fleet_b_project_id, project_number = local.fleet_b_number },
  ]
  targets = [
    {
      name              = "prod"
      argocd_membership = "projects/${local.fleet_a_number}/locations/${replace(var.prod_argocd_membership, "/", "/memberships/")}"
      selector          = "env=prod"
    },
    {
      name              = "teams"
      argocd_membership = "projects/${local.fleet_b_number}/locations/${replace(var.teams_argocd_membership, "/", "/memberships/")}"
      namespace         = "argocd"
      tenancy = {
        enabled      = true
        prefix       = "team-"
        source_repos = ["https://github.com/acme/*"]
      }
    },
  ]
}

# The function's Role and RoleBinding in each hub, from the module's rbac_manifests output so the
# rules are written once, in the module (two resources only because a provider cannot vary per
# instance).
locals {
  sync_rbac = {
    for name, manifest in module.fleet_argocd_sync.rbac_manifests :
    name => { for doc in [for d in split("---\n", manifest) : yamldecode(d)] : doc.kind => doc }
  }
}

resource "kubernetes_role_v1" "prod" {
  provider = kubernetes.prod
  metadata {
    name      = local.sync_rbac.prod.Role.metadata.name
    namespace = local.sync_rbac.prod.Role.metadata.namespace
  }
  dynamic "rule" {
    for_each = local.sync_rbac.prod.Role.rules
    content {
      api_groups = rule.value.apiGroups
      resources  = rule.value.resources
      verbs      = rule.value.verbs
    }
  }
}

resource "kubernetes_role_binding_v1" "prod" {
  provider = kubernetes.prod
  metadata {
    name      = local.sync_rbac.prod.RoleBinding.metadata.name
    namespace = local.sync_rbac.prod.RoleBinding.metadata.namespace
  }
  role_ref {
    api_group = local.sync_rbac.prod.RoleBinding.roleRef.apiGroup
    kind      = local.sync_rbac.prod.RoleBinding.roleRef.kind
    name      = kubernetes_role_v1.prod.metadata[0].name
  }
  dynamic "subject" {
    for_each = local.sync_rbac.prod.RoleBinding.subjects
    content {
      api_group = subject.value.apiGroup
      kind      = subject.value.kind
      name      = subject.value.name
    }
  }
}

resource "kubernetes_role_v1" "teams" {
  provider = kubernetes.teams
  metadata {
    name      = local.sync_rbac.teams.Role.metadata.name
    namespace = local.sync_rbac.teams.Role.metadata.namespace
  }
  dynamic "rule" {
    for_each = local.sync_rbac.teams.Role.rules
    content {
      api_groups = rule.value.apiGroups
      resources  = rule.value.resources
      verbs      = rule.value.verbs
    }
  }
}

resource "kubernetes_role_binding_v1" "teams" {
  provider = kubernetes.teams
  metadata {
    name      = local.sync_rbac.teams.RoleBinding.metadata.name
    namespace = local.sync_rbac.teams.RoleBinding.metadata.namespace
  }
  role_ref {
    api_group = local.sync_rbac.teams.RoleBinding.roleRef.apiGroup
    kind      = local.sync_rbac.teams.RoleBinding.roleRef.kind
    name      = kubernetes_role_v1.teams.metadata[0].name
  }
  dynamic "subject" {
    for_each = local.sync_rbac.teams.RoleBinding.subjects
    content {
      api_group = subject.value.apiGroup
      kind      = subject.value.kind
      name      = subject.value.name
    }
  }
}
