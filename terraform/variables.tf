locals {
  # What the function checks at start-up, checked at plan time too, so a value it would
  # refuse never deploys: a Kubernetes label selector as fleetsync/core/labels.py parses it,
  # and a DNS subdomain (an AppProject's name). tests/terraform compares both with the function.
  selector_key          = "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
  selector_value        = "([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?"
  selector_requirement  = "\\s*(!\\s*${local.selector_key}|${local.selector_key}(\\s*(==|=|!=)\\s*${local.selector_value}|\\s+(in|notin)\\s*\\(\\s*${local.selector_value}(\\s*,\\s*${local.selector_value})*\\s*\\))?)\\s*"
  selector_pattern      = "^(${local.selector_requirement}(,${local.selector_requirement})*)?$"
  dns_subdomain_pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
}

variable "project_id" {
  type        = string
  description = "ID of the project the function and its scheduler job are deployed in: the fleet host project in the single form; in the multi form (fleets) any project, usually one of the fleets."
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project ID (6-30 lowercase letters, digits and hyphens)."
  }
}

variable "region" {
  type        = string
  description = "Region of the Cloud Run function, its source bucket and the Cloud Scheduler job."
  default     = "us-central1"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1."
  }
}

variable "fleet_project_number" {
  type        = string
  description = "Single form: number (not ID) of the fleet host project (project_id) whose memberships are synced. Null when fleets is used."
  default     = null
  validation {
    condition     = var.fleet_project_number == null || can(regex("^[0-9]{1,20}$", var.fleet_project_number))
    error_message = "fleet_project_number must contain digits only."
  }
}

variable "argocd_membership" {
  type        = string
  description = "Single form: fleet membership of the Argo CD cluster, as {location}/{membership_id}, for example global/argocd-hub. Null when targets is used."
  default     = null
  validation {
    condition     = var.argocd_membership == null || can(regex("^(global|[a-z]+(-[a-z0-9]+)+)/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.argocd_membership))
    error_message = "argocd_membership must look like {location}/{membership_id}, for example global/argocd-hub."
  }
}

variable "argocd_namespace" {
  type        = string
  description = "Single form: namespace of Argo CD in the Argo CD cluster; the function may only touch Secrets there. Ignored in the multi form (each target has its namespace)."
  default     = "argocd"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.argocd_namespace))
    error_message = "argocd_namespace must be a Kubernetes namespace name."
  }
}

variable "argocd_project" {
  type        = string
  description = "Single form: Argo CD AppProject written into every cluster Secret's project field, or null for none. Must be null in the multi form (each target has its project)."
  default     = null
  validation {
    condition     = try(length(var.argocd_project) <= 253 && can(regex(local.dns_subdomain_pattern, var.argocd_project)), var.argocd_project == null)
    error_message = "argocd_project must be an AppProject name (a DNS subdomain) or null."
  }
}

variable "membership_selector" {
  type        = string
  description = "Kubernetes label selector over membership labels (for example \"env in (prod,staging),!no-argocd\"); only matching memberships get a cluster Secret. Null selects all. Must be null in the multi form (each target has its selector)."
  default     = null
  validation {
    condition     = var.membership_selector == null || try(length(var.membership_selector) <= 1024 && can(regex(local.selector_pattern, var.membership_selector)), false)
    error_message = "membership_selector must be a Kubernetes label selector (for example \"env in (prod,staging),!no-argocd\") of at most 1024 characters, or null."
  }
}

variable "fleets" {
  type = list(object({
    project_id     = string
    project_number = string
  }))
  description = "Multi form: every fleet host project whose memberships are synced, by ID and number; each gets a Logging sink for its audit entries unless log_sink_parent is set. Empty (the default) for the single form (project_id, fleet_project_number, argocd_membership)."
  default     = []
  validation {
    condition = alltrue([
      for f in var.fleets :
      can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", f.project_id)) && can(regex("^[0-9]{1,20}$", f.project_number))
    ])
    error_message = "fleets: each project_id must be a Google Cloud project ID and each project_number digits only."
  }
  validation {
    condition = (
      length(distinct([for f in var.fleets : f.project_id])) == length(var.fleets) &&
      length(distinct([for f in var.fleets : f.project_number])) == length(var.fleets)
    )
    error_message = "fleets: each project may be listed once."
  }
}

variable "targets" {
  type = list(object({
    name              = string
    argocd_membership = string
    namespace         = optional(string, "argocd")
    selector          = optional(string, "")
    project           = optional(string, "")
    tenancy = optional(object({
      enabled           = optional(bool, false)
      prefix            = optional(string, "")
      source_repos      = optional(list(string), ["*"])
      cluster_resources = optional(bool, false)
      cluster_project   = optional(bool, false)
    }), {})
    previous_names = optional(list(string), [])
  }))
  description = "Multi form: the Argo CD instances the fleets are synced into. name is a DNS label; argocd_membership the full membership name (projects/{number}/locations/{location}/memberships/{id}) of the Argo CD cluster, in one of the fleets; namespace Argo CD's namespace (default argocd); selector a label selector over membership labels (empty: all); project the AppProject of the Secrets (empty: Argo CD's default); tenancy makes an AppProject per fleet scope; previous_names the target's names before a rename, whose Secrets and AppProjects it adopts. Empty for the single form."
  default     = []
  validation {
    condition = alltrue([
      for t in var.targets :
      can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", t.name)) && can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", t.namespace)) &&
      alltrue([for p in t.previous_names : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", p)) && !contains([for u in var.targets : u.name], p)])
    ])
    error_message = "targets: each name, namespace and previous name must be a DNS label (lowercase letters, digits and hyphens, at most 63), and no previous name a current target's name."
  }
  validation {
    condition     = length(distinct([for t in var.targets : t.name])) == length(var.targets)
    error_message = "targets: names must be unique."
  }
  validation {
    condition = alltrue([
      for t in var.targets :
      can(regex("^projects/[0-9]{1,20}/locations/(global|[a-z]+(-[a-z0-9]+)+)/memberships/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", t.argocd_membership))
    ])
    error_message = "targets: argocd_membership must be a full membership name: projects/{project_number}/locations/{location}/memberships/{id}."
  }
  validation {
    condition = alltrue([
      for t in var.targets :
      contains([for f in var.fleets : f.project_number], try(split("/", t.argocd_membership)[1], ""))
    ])
    error_message = "targets: the project number in each argocd_membership must be one of the fleets' project_number."
  }
  validation {
    condition     = length(distinct([for t in var.targets : "${t.argocd_membership} ${t.namespace}"])) == length(var.targets)
    error_message = "targets: two targets may not share an Argo CD membership and namespace."
  }
  validation {
    condition = alltrue([
      for t in var.targets :
      (t.project == "" || (length(t.project) <= 253 && can(regex(local.dns_subdomain_pattern, t.project)))) &&
      length(t.selector) <= 1024 && can(regex(local.selector_pattern, t.selector))
    ])
    error_message = "targets: project must be an AppProject name or empty; selector a Kubernetes label selector (for example \"env in (prod,staging)\") of at most 1024 characters."
  }
  validation {
    condition = alltrue([
      for t in var.targets :
      # As the function: prefix + a scope id (up to 63) must be an AppProject name.
      (t.tenancy.prefix == "" || (length(t.tenancy.prefix) <= 190 && can(regex(local.dns_subdomain_pattern, "${t.tenancy.prefix}a")))) &&
      length(t.tenancy.source_repos) > 0 && alltrue([for r in t.tenancy.source_repos : r != ""])
    ])
    error_message = "targets: tenancy.prefix must be empty or the start of an AppProject name (up to 190 lowercase letters, digits, '-' and '.'); tenancy.source_repos a non-empty list of non-empty patterns."
  }
  validation {
    # One form or the other: the function refuses FLEET_SYNC_CONFIG next to the single-form variables.
    condition = length(var.fleets) == 0 ? (
      var.fleet_project_number != null && var.argocd_membership != null && length(var.targets) == 0
      ) : (
      var.fleet_project_number == null && var.argocd_membership == null &&
      var.argocd_project == null && var.membership_selector == null && length(var.targets) > 0
    )
    error_message = "Use one form: either fleet_project_number and argocd_membership (single form), or fleets and targets (multi form) with fleet_project_number, argocd_membership, argocd_project and membership_selector left null."
  }
}

variable "log_sink_parent" {
  type        = string
  description = "Null (the default) for one Logging sink in each fleet project; or folders/N or organizations/N for one sink on that folder or organisation, with include_children, covering every project under it (the fleet projects must be among them)."
  default     = null
  validation {
    condition     = var.log_sink_parent == null || can(regex("^(folders|organizations)/[0-9]{1,20}$", var.log_sink_parent))
    error_message = "log_sink_parent must be null, folders/N or organizations/N (N digits only)."
  }
}

variable "max_delete_fraction" {
  type        = number
  description = "Mass-delete guard: a resync that would delete more than this share of the function's Secrets is refused unless forced."
  default     = 0.5
  validation {
    condition     = var.max_delete_fraction >= 0 && var.max_delete_fraction <= 1
    error_message = "max_delete_fraction must be between 0 and 1."
  }
}

variable "sync_concurrency" {
  type        = number
  description = "Number of Secret writes in flight at once during a resync."
  default     = 8
  validation {
    condition     = var.sync_concurrency >= 1 && var.sync_concurrency <= 64
    error_message = "sync_concurrency must be between 1 and 64."
  }
}

variable "gateway_max_writes_per_minute" {
  type        = number
  description = "Most writes the whole deployment sends through one fleet project's Connect Gateway in any minute (0 for no budget): each of max_instance_count instances gets an equal share (pacing.tf). The gateway's quota, 2,400 requests a minute per fleet project, is shared with Argo CD; the default is a quarter of it."
  default     = 600
  validation {
    condition     = var.gateway_max_writes_per_minute >= 0 && var.gateway_max_writes_per_minute <= 100000
    error_message = "gateway_max_writes_per_minute must be between 0 and 100000."
  }
  validation {
    condition     = var.gateway_max_writes_per_minute == 0 || var.gateway_max_writes_per_minute >= var.max_instance_count
    error_message = "gateway_max_writes_per_minute must be 0 or at least max_instance_count: each instance gets an equal share of at least one write a minute."
  }
}

variable "expected_cluster_secrets" {
  type        = number
  description = "How many cluster Secrets a first sync writes, summed over targets (memberships each target selects). Sizes timeout_seconds when that is null, and the resync_capacity output; null: unknown."
  default     = null
  validation {
    condition     = var.expected_cluster_secrets == null || try(var.expected_cluster_secrets >= 0, false)
    error_message = "expected_cluster_secrets must be null or a number of Secrets (0 or more)."
  }
}

variable "dry_run" {
  type        = bool
  description = "When true the function computes and logs every change but writes nothing; useful for a first deployment next to fleet-argocd-plugin."
  default     = false
}

variable "name" {
  type        = string
  description = "Name of the function, and prefix of its service accounts, bucket, topics, subscriptions, Logging sinks and scheduler job."
  default     = "fleet-argocd-sync"
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,20}$", var.name))
    error_message = "name must start with a letter and hold at most 21 lowercase letters, digits and hyphens."
  }
}

variable "runtime" {
  type        = string
  description = "Python runtime of the Cloud Run function."
  default     = "python312"
  validation {
    condition     = contains(["python311", "python312", "python313"], var.runtime)
    error_message = "runtime must be python311, python312 or python313."
  }
}

variable "max_instance_count" {
  type        = number
  description = "Upper bound on function instances, each handling one request at a time. A resync holds one instance for up to timeout_seconds; the others take events (about 20 ms each warm, up to a second or two for an UpdateCluster in a large fleet). Events that find every instance busy are redelivered by Pub/Sub with a backoff of at most 10 minutes, up to the dead-letter limit."
  default     = 5
  validation {
    condition     = var.max_instance_count >= 2 && var.max_instance_count <= 100
    error_message = "max_instance_count must be between 2 (one for a resync, one for events) and 100."
  }
}

variable "timeout_seconds" {
  type        = number
  description = "Request timeout of the function. Null (the default): 540, or with expected_cluster_secrets long enough for a first sync at the per-instance write budget, up to 1800. A resync stops starting writes two minutes (at most) before the lesser of this and 1800, and answers 503 so Cloud Scheduler's retry carries on."
  default     = null
  validation {
    condition     = var.timeout_seconds == null || try(var.timeout_seconds >= 60 && var.timeout_seconds <= 3600, false)
    error_message = "timeout_seconds must be null or between 60 and 3600."
  }
}

variable "ingress_settings" {
  type        = string
  description = "Network ingress of the function: ALLOW_INTERNAL_ONLY (the Pub/Sub push subscription and Cloud Scheduler of project_id reach it; nothing from the internet) or ALLOW_ALL (still IAM-authenticated, for curl from a workstation)."
  default     = "ALLOW_INTERNAL_ONLY"
  validation {
    condition     = contains(["ALLOW_INTERNAL_ONLY", "ALLOW_ALL"], var.ingress_settings)
    error_message = "ingress_settings must be ALLOW_INTERNAL_ONLY or ALLOW_ALL."
  }
}

variable "resync_schedule" {
  type        = string
  description = "Cron schedule of the safety-net resync (Cloud Scheduler syntax)."
  default     = "0 * * * *"
  validation {
    condition     = can(regex("^\\S+ \\S+ \\S+ \\S+ \\S+$", var.resync_schedule))
    error_message = "resync_schedule must be a five-field cron expression such as \"0 * * * *\"."
  }
}

variable "resync_time_zone" {
  type        = string
  description = "Time zone of resync_schedule."
  default     = "Etc/UTC"
  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", var.resync_time_zone))
    error_message = "resync_time_zone must be a tz database name such as Etc/UTC or Europe/Paris."
  }
}

variable "invoker_members" {
  type        = list(string)
  description = "Extra principals (user:, group:, serviceAccount:) allowed to invoke the function, for manual resyncs. Public principals are refused."
  default     = []
  validation {
    condition     = alltrue([for m in var.invoker_members : !contains(["allUsers", "allAuthenticatedUsers"], m) && can(regex("^(user|group|serviceAccount|domain):", m))])
    error_message = "invoker_members must be user:, group:, serviceAccount: or domain: principals; allUsers and allAuthenticatedUsers are refused."
  }
}

variable "enable_apis" {
  type        = bool
  description = "Whether the module enables the Google APIs it needs in project_id and in every fleet project."
  default     = true
}

variable "labels" {
  type        = map(string)
  description = "Labels applied to the function, bucket, image repository, topics, subscriptions and alert policies."
  default     = {}
  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][-_a-z0-9]{0,62}$", k)) && can(regex("^[-_a-z0-9]{0,63}$", v))])
    error_message = "labels must use Google Cloud label keys and values: lowercase letters, digits, - and _, keys starting with a letter, at most 63 characters."
  }
}

variable "kms_key_name" {
  type        = string
  description = "Cloud KMS key (projects/P/locations/L/keyRings/R/cryptoKeys/K, in the function's region) that encrypts the function, its source bucket and its image repository; null for Google-managed encryption. The module grants the key to the service agents that use it."
  default     = null
  validation {
    condition     = var.kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.kms_key_name))
    error_message = "kms_key_name must be a full key name: projects/P/locations/L/keyRings/R/cryptoKeys/K."
  }
}

variable "enable_log_metrics" {
  type        = bool
  description = "Whether to create the log-based metrics (Secrets written by action, errors by kind, conflicts, complete resyncs)."
  default     = true
}

variable "enable_resync_alert" {
  type        = bool
  description = "Whether to create the alert policy that fires when no complete resync succeeded for two schedule periods; needs enable_log_metrics."
  default     = true
}

variable "enable_dead_letter_alert" {
  type        = bool
  description = "Whether to create the alert policy that fires when an audit entry is dead-lettered: Pub/Sub gave up pushing it to the function."
  default     = true
}

variable "resync_period_minutes" {
  type        = number
  description = "Minutes between two runs of resync_schedule; the alert fires after twice this with no complete resync."
  default     = 60
  validation {
    condition     = var.resync_period_minutes >= 1 && var.resync_period_minutes <= 705 && floor(var.resync_period_minutes) == var.resync_period_minutes
    error_message = "resync_period_minutes must be a whole number from 1 to 705 (Cloud Monitoring's absence window is at most 23.5 hours)."
  }
}

variable "alert_notification_channels" {
  type        = list(string)
  description = "Cloud Monitoring notification channel IDs (projects/P/notificationChannels/N) the resync and dead-letter alerts notify; empty for none."
  default     = []
  validation {
    condition     = alltrue([for c in var.alert_notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", c))])
    error_message = "alert_notification_channels must hold IDs like projects/P/notificationChannels/N."
  }
}
