#!/usr/bin/env bash
# Re-pin requirements/release.txt from requirements/release.in: a fresh Python 3.12 venv,
# pip install, pip freeze. The next tests/release/*.sh run re-creates .venv-release from it.
set -euo pipefail
# shellcheck source=tests/release/lib.sh
source "$(dirname "$0")/lib.sh"
python=$(python312)
[ -n "${python}" ] || { echo "Python 3.12 not found (set PYTHON312=...)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "${work}"' EXIT
"${python}" -m venv "${work}/venv"
"${work}/venv/bin/pip" install --quiet --disable-pip-version-check -r "${REPO}/requirements/release.in"
"${work}/venv/bin/pip" check
{
    echo "# Pinned from release.in (pip freeze in a fresh Python 3.12 venv). Regenerate with tests/release/pin.sh."
    "${work}/venv/bin/pip" freeze
} > "${REPO}/requirements/release.txt"
echo "requirements/release.txt: $(grep -vc '^#' "${REPO}/requirements/release.txt") packages"
