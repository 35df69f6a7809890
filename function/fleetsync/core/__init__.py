"""The pure core: data, names, labels, event parsing, planning, rendering, reports.

No network, no clock, no environment: data in, data out.
"""
