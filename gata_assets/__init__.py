"""gata: ticket-routing models as Dagster assets.

Sub-packages by responsibility:
  core/       pure data code (ticket schema, validation, grouping, splitting, sample data)
  ml/         pure ML code (gata-train, gata-serve, routing, metrics)
  resources/  one interface per capability, local and AWS implementations side by side
  defs/       the thin Dagster layer, one folder per pipeline stage
"""
