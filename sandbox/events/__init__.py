"""Cloud Audit Logs entries for fleet changes, and their delivery by Eventarc: CloudEvent
attributes, at-least-once pushes, and the retry policy.

Follows Cloud Audit Logs (https://cloud.google.com/logging/docs/audit/understanding-audit-logs),
Eventarc's CloudEvents format (https://cloud.google.com/eventarc/docs/cloudevents-json) and
"Retry events" (https://cloud.google.com/eventarc/docs/retry-events).
"""
