# How fast the function may write, and for how long a resync runs, from what the user states:
# the deployment's write budget per fleet project, the instance cap, and the fleet's size.
#
# Connect Gateway's quota (2,400 requests a minute per fleet project) is shared with Argo CD's
# own traffic. gateway_max_writes_per_minute is what this whole deployment may write into one
# fleet project's gateway. Each instance keeps a budget per fleet project (the function shares
# it across targets, events and resyncs) and Cloud Run runs at most max_instance_count of
# them, one request each, so each gets an equal share: however the requests spread, the
# instances together never exceed the stated budget. (Coordinating through the Argo CD cluster,
# a Lease say, would let one instance use the whole budget, at the price of a write to
# Argo CD's API server on every slot and of one more failure mode; a static share cannot
# fail and is provable from these two numbers.)

locals {
  writes_per_minute_per_instance = var.gateway_max_writes_per_minute == 0 ? 0 : floor(var.gateway_max_writes_per_minute / var.max_instance_count)

  # A first sync writes every Secret; at the per-instance share it takes this many seconds.
  first_sync_seconds = (var.expected_cluster_secrets == null || local.writes_per_minute_per_instance == 0 ? null :
  ceil(var.expected_cluster_secrets * 60 / local.writes_per_minute_per_instance))

  # The function's timeout: as given, else long enough for a first sync (and a quarter more),
  # at least the default 540 s and at most Cloud Scheduler's 30-minute attempt deadline.
  timeout_seconds = (var.timeout_seconds != null ? var.timeout_seconds :
    local.first_sync_seconds == null ? 540 :
  min(1800, max(540, ceil(local.first_sync_seconds * 1.25) + 120)))

  # A resync starts no write after this, so it answers before the function's timeout and
  # before Cloud Scheduler's attempt deadline (which would otherwise retry it beside itself):
  # up to two minutes of margin for the last writes' budget wait and requests.
  resync_window_seconds   = min(local.timeout_seconds, 1800)
  resync_deadline_seconds = local.resync_window_seconds - min(120, floor(local.resync_window_seconds / 5))

  # What one resync can write before its deadline, and how many runs a first sync needs
  # (Cloud Scheduler retries a run that answered 503 twice, a minute apart: three a period).
  writes_per_resync = local.writes_per_minute_per_instance == 0 ? null : floor(local.resync_deadline_seconds * local.writes_per_minute_per_instance / 60)
  first_sync_runs   = var.expected_cluster_secrets == null || local.writes_per_resync == null ? null : max(1, ceil(var.expected_cluster_secrets / max(1, local.writes_per_resync)))

  # The schedule carries a first sync through: each run that stops at its deadline answers
  # 503 and Cloud Scheduler retries it, so a scheduled run gets as many retries as a first
  # sync needs runs beyond the first (at least 2, at most Scheduler's 5); what is left after
  # those is the next scheduled run's. The resync Lease keeps a retry from running beside it.
  scheduler_retry_count = local.first_sync_runs == null ? 2 : min(5, max(2, local.first_sync_runs - 1))
}
