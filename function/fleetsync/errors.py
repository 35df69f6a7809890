"""The two kinds of failure the sync distinguishes; callers decide what each means for HTTP."""


class SyncError(Exception):
    """Base for everything this package raises."""


class RetryableError(SyncError):
    """Trying again may work: 429, 5xx, timeouts, unreachable locations, a disconnected gateway."""


class PermanentError(SyncError):
    """Trying again will not help: bad settings, 403, malformed names or events."""
