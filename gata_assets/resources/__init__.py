"""Resources: one interface per capability, a local and an AWS implementation side by side.

Assets ask the interface; `build.py` picks the implementation from settings, for the Dagster
definitions and the `gata` CLI alike. No asset ever branches on where it runs.
"""
