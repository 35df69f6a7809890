"""The application: the order of reads and writes between GKE Hub and the Argo CD cluster.

Every target and fleet (`sync`), one lane's Secrets (`reconcile`), one target's AppProjects
(`projects`), and writing a planned change (`writes`). The decisions are the core's, HTTP is
the adapters'; `main.py` and the CLI call `sync`.
"""
