#!/usr/bin/env bash
# The generated module reference in docs/reference/ (antsibull-docs, from the modules' own
# DOCUMENTATION/EXAMPLES/RETURN and the roles' argument specs).
#   tests/release/docs.sh generate   regenerate docs/reference/ (commit the result)
#   tests/release/docs.sh check      regenerate into a temp dir; exit 1 if docs/reference/ differs
set -u -o pipefail
# shellcheck source=tests/release/lib.sh
source "$(dirname "$0")/lib.sh"

mode=${1:-check}
ensure_release_venv || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "${tmp}"' EXIT

generate_reference "${tmp}/reference" || { echo "antsibull-docs failed" >&2; exit 1; }

case ${mode} in
    generate)
        rm -rf "${REPO}/docs/reference"
        cp -r "${tmp}/reference" "${REPO}/docs/reference"
        chmod 755 "${REPO}/docs/reference"
        echo "docs/reference/ regenerated:"
        (cd "${REPO}" && ls docs/reference)
        ;;
    check)
        if diff -ru "${REPO}/docs/reference" "${tmp}/reference"; then
            echo "docs/reference/ is up to date ($(find "${tmp}/reference" -type f | wc -l) files)"
        else
            echo "docs/reference/ is out of date: run tests/release/docs.sh generate and commit" >&2
            exit 1
        fi
        ;;
    *)
        echo "usage: $0 generate|check" >&2
        exit 2
        ;;
esac
