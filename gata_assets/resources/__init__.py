"""Resources: one interface per capability, a local and an AWS implementation side by side.

Assets ask the interface; `definitions.py` picks the implementation from settings. No asset
ever branches on where it runs.
"""
