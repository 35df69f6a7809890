"""The sandbox's state, which every emulated service reads and the control API changes: the
fleets and their records, the member clusters behind them, the credentials honoured, faults,
the request log, and how realistic each service is.

It stands in for no service: its records carry the fields of GKE Hub's membership.proto and
fleet.proto, and each service's rules live in that service's package.
"""
