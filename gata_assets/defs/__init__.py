"""The thin Dagster layer: one folder per pipeline stage, each exposing `defs`.

Assets here only wire resources to the pure code in `core/` and `ml/`, which they import
inside the asset body: loading the definitions must not pay for pandas, torch or boto3.
"""
