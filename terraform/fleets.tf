# What the function serves, in one of two forms, as locals computed from the variables alone
# (no resource, no data source, so tests/terraform evaluates this file offline with
# `terraform console`):
#
# - single form: project_id is the one fleet, argocd_membership the one Argo CD target; the
#   function reads FLEET_PROJECT_NUMBER, ARGOCD_MEMBERSHIP, ARGOCD_NAMESPACE, ARGOCD_PROJECT
#   and MEMBERSHIP_SELECTOR, exactly as before the multi form existed;
# - multi form: fleets and targets; the function reads one JSON document, FLEET_SYNC_CONFIG.
#   The function refuses to start with both, so only one form is ever written.

locals {
  multi = length(var.fleets) > 0

  # The one list of handled audit-log methods, shared with the function (fleetsync/core/events.py).
  audit_methods = jsondecode(file("${local.function_dir}/fleetsync/audit_methods.json")).methods

  # Every fleet host project. The single form's one fleet is project_id itself.
  fleets = local.multi ? var.fleets : [
    { project_id = var.project_id, project_number = var.fleet_project_number },
  ]
  fleet_project_ids = { for f in local.fleets : f.project_number => f.project_id }

  # Every Argo CD target, in the multi form's shape; the single form's one target is named
  # after the function.
  targets = local.multi ? var.targets : [{
    name              = var.name
    argocd_membership = format("projects/%s/locations/%s/memberships/%s", var.fleet_project_number, split("/", var.argocd_membership)[0], split("/", var.argocd_membership)[1])
    namespace         = var.argocd_namespace
    selector          = var.membership_selector == null ? "" : var.membership_selector
    project           = var.argocd_project == null ? "" : var.argocd_project
    tenancy = {
      enabled           = false
      prefix            = ""
      source_repos      = ["*"]
      cluster_resources = false
      cluster_project   = false
    }
    previous_names = tolist([])
  }]

  # FLEET_SYNC_CONFIG, the function's multi-form configuration (function/fleetsync/config/settings.py).
  fleet_sync_config = {
    fleets = [for f in var.fleets : f.project_number]
    targets = [for t in var.targets : {
      name              = t.name
      argocd_membership = t.argocd_membership
      namespace         = t.namespace
      selector          = t.selector
      project           = t.project
      tenancy           = t.tenancy
      previous_names    = t.previous_names
    }]
  }

  # Keys are the names Settings.from_env reads (function/fleetsync/config/settings.py), plus the
  # project main.py gives Cloud Logging for trace correlation.
  function_env = merge(
    {
      GOOGLE_CLOUD_PROJECT          = var.project_id
      MAX_DELETE_FRACTION           = tostring(var.max_delete_fraction)
      SYNC_CONCURRENCY              = tostring(var.sync_concurrency)
      GATEWAY_MAX_WRITES_PER_MINUTE = tostring(local.writes_per_minute_per_instance)
      RESYNC_DEADLINE_SECONDS       = tostring(local.resync_deadline_seconds)
      DRY_RUN                       = tostring(var.dry_run)
    },
    local.multi ? { FLEET_SYNC_CONFIG = jsonencode(local.fleet_sync_config) } : {},
    local.multi ? {} : {
      FLEET_PROJECT_NUMBER = var.fleet_project_number
      ARGOCD_MEMBERSHIP    = var.argocd_membership
      ARGOCD_NAMESPACE     = var.argocd_namespace
    },
    local.multi || var.argocd_project == null ? {} : { ARGOCD_PROJECT = var.argocd_project },
    local.multi || var.membership_selector == null ? {} : { MEMBERSHIP_SELECTOR = var.membership_selector },
  )

  # The Logging sinks' filter (sinks.tf): Admin Activity audit entries of exactly the handled
  # methods. An entry names its service and method in protoPayload; matching both keeps the
  # meaning of the one-method-per-trigger route this replaced. Logging's query limit is 20,000
  # characters; tests/terraform checks the rendered filter against it.
  audit_services = distinct([for m in local.audit_methods : m.serviceName])
  log_sink_filter = join(" AND ", [
    "logName:\"cloudaudit.googleapis.com%2Factivity\"",
    "protoPayload.serviceName=(${join(" OR ", [for s in local.audit_services : "\"${s}\""])})",
    "protoPayload.methodName=(${join(" OR ", [for m in local.audit_methods : "\"${m.methodName}\""])})",
  ])

  # Where the sinks are: one per fleet project (project_id's own included when it is a fleet),
  # or, with log_sink_parent, one on that folder or organisation covering every project under it.
  project_sinks = var.log_sink_parent == null ? { for f in local.fleets : f.project_id => f.project_number } : {}
  sink_parent = (var.log_sink_parent == null ? { kind = "", id = "" } : {
    kind = split("/", var.log_sink_parent)[0]
    id   = split("/", var.log_sink_parent)[1]
  })
  # One key per sink: the fleet project's ID, or log_sink_parent.
  sink_keys = concat(keys(local.project_sinks), var.log_sink_parent == null ? [] : [var.log_sink_parent])

  # Where the Argo CD clusters are: each target's membership, parsed once.
  argocd_targets = {
    for t in local.targets : t.name => {
      project_id     = local.fleet_project_ids[split("/", t.argocd_membership)[1]]
      project_number = split("/", t.argocd_membership)[1]
      location       = split("/", t.argocd_membership)[3]
      membership_id  = split("/", t.argocd_membership)[5]
      namespace      = t.namespace
      tenancy        = t.tenancy.enabled
    }
  }
  argocd_gateway_urls = {
    for name, a in local.argocd_targets : name => format(
      "https://%sconnectgateway.googleapis.com/v1/projects/%s/locations/%s/gkeMemberships/%s",
      a.location == "global" ? "" : "${a.location}-", a.project_number, a.location, a.membership_id,
    )
  }

  # The function's Google roles, by project: read every fleet; reach the Argo CD clusters
  # through Connect Gateway. Keys of project_id's grants are the bare role, as before the multi
  # form, so a single-form deployment keeps its state addresses.
  function_grants = merge(
    {
      for f in local.fleets :
      (f.project_id == var.project_id ? "roles/gkehub.viewer" : "${f.project_id}/roles/gkehub.viewer") => {
        project = f.project_id, role = "roles/gkehub.viewer"
      }
    },
    {
      for id in distinct([for a in values(local.argocd_targets) : a.project_id]) :
      (id == var.project_id ? "roles/gkehub.gatewayEditor" : "${id}/roles/gkehub.gatewayEditor") => {
        project = id, role = "roles/gkehub.gatewayEditor"
      }
    },
  )
}
