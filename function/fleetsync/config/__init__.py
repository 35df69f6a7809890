"""Configuration: the one table of settings, `FLEET_SYNC_CONFIG`, and how each is read.

`Settings.from_env` builds one frozen object (in `main.py` and the CLI) that is passed down
explicitly; nothing else reads `os.environ`. Parsing only: what the settings mean is left to
the adapters (where to connect) and to the application (what to sync).
"""
