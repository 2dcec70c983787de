#!/usr/bin/env bash
# Static checks for infra/ (Terraform) with checkov, in its own virtualenv.
#
# checkov pins many libraries (boto3, networkx, pydantic...) that would fight with the
# project's own dependencies, so it lives in a separate venv that is created on first use and
# reused afterwards. Exits non-zero when any check fails (or checkov cannot run).
#
#   CHECKOV_VENV     where the venv lives  (default: $HOME/.cache/gata-checkov-venv)
#   CHECKOV_VERSION  pinned checkov version (default below)
#   CHECKOV_PYTHON   interpreter for the venv (default: python3)
#   Extra arguments are passed to checkov (e.g. --output json).
set -euo pipefail

CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
CHECKOV_VENV="${CHECKOV_VENV:-$HOME/.cache/gata-checkov-venv}"
CHECKOV_PYTHON="${CHECKOV_PYTHON:-python3}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

installed_version() {
  "$CHECKOV_VENV/bin/python" - <<'PY' 2>/dev/null || true
import importlib.metadata as m
print(m.version("checkov"))
PY
}

if [[ ! -x "$CHECKOV_VENV/bin/python" ]]; then
  echo "checkov.sh: creating virtualenv $CHECKOV_VENV" >&2
  "$CHECKOV_PYTHON" -m venv "$CHECKOV_VENV"
fi
if [[ "$(installed_version)" != "$CHECKOV_VERSION" ]]; then
  echo "checkov.sh: installing checkov==$CHECKOV_VERSION into $CHECKOV_VENV" >&2
  "$CHECKOV_VENV/bin/python" -m pip install -qq "checkov==$CHECKOV_VERSION"
fi

# --quiet: only failed checks are listed; the summary line (Passed/Failed/Skipped) is always
# printed. Skips are inline (#checkov:skip=ID:reason) next to the resource they concern.
exec "$CHECKOV_VENV/bin/checkov" \
  -d infra \
  --framework terraform \
  --quiet \
  --compact \
  --download-external-modules false \
  --skip-download \
  "$@"
