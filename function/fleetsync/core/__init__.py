"""The pure core: data, names, labels, event parsing, verdicts, planning, rendering, reports.

No network, no clock, no environment, no logging: data in, data out. Reading that data, in
a safe order, and writing the result is left to the application (`fleetsync.app`) and the
adapters.
"""
