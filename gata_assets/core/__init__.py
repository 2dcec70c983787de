"""Pure data code: no Dagster imports, so containers and scripts reuse it unchanged."""
