#!/usr/bin/env bash
# Runs every molecule scenario of the collection (extensions/molecule/<role>/) against a test
# bed that is already up (tests/run.sh or `make bed-up` starts it). Needs no other setup: it
# takes the bed's admin credentials from `tests/testbed/bed.py env` unless OS_AUTH_URL is already
# exported, makes a collections path in which easystack.eos is this checkout, and uses the
# controller venv's binaries ($VENV, default .venv).
#   tests/molecule.sh                 every scenario
#   tests/molecule.sh quota_report    only these scenarios
# Exit status: non-zero when any scenario fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
VENV=${VENV:-.venv}
BED=(python3 tests/testbed/bed.py)
REPO=$PWD

[ -x "$VENV/bin/molecule" ] || { echo "no $VENV/bin/molecule: run 'make venv' first"; exit 2; }
VENV=$(cd "$VENV" && pwd)
"${BED[@]}" status >/dev/null || { echo "the test bed is not up: run 'make bed-up' first"; exit 2; }

if [ -z "${OS_AUTH_URL:-}" ]; then
    # shellcheck disable=SC1090
    eval "$("${BED[@]}" env)"
fi
# The quota_report scenario also allocates through the bed's control API: its URL and token
# must be there, or that scenario's allocation step and its threshold check have nothing to do.
bed_json=$("${BED[@]}" env --format json) || { echo "tests/testbed/bed.py env --format json failed"; exit 2; }
bed_value() {
    python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1]) or "")' "$1" \
        <<<"$bed_json"
}
EOS_BED_URL=$(bed_value url)
EOS_BED_CONTROL_TOKEN=$(bed_value control_token)
if [ -z "$EOS_BED_URL" ] || [ -z "$EOS_BED_CONTROL_TOKEN" ]; then
    echo "the bed's settings (tests/testbed/bed.py env --format json) lack its url or control_token"
    exit 2
fi
export EOS_BED_URL EOS_BED_CONTROL_TOKEN

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/collections/ansible_collections/easystack"
ln -s "$REPO" "$work/collections/ansible_collections/easystack/eos"
export ANSIBLE_COLLECTIONS_PATH=$work/collections
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 PY_COLORS=0
export PATH="$VENV/bin:$PATH"

if (($#)); then
    scenarios=("$@")
else
    mapfile -t scenarios < <(find extensions/molecule -mindepth 2 -maxdepth 2 -name molecule.yml \
                             -printf '%h\n' | sed 's|^extensions/molecule/||' | sort)
fi
if ((${#scenarios[@]} == 0)); then
    echo "no molecule scenario found (extensions/molecule/*/molecule.yml): nothing was tested"
    exit 1
fi

failed=()
for scenario in "${scenarios[@]}"; do
    printf '\n=== molecule test -s %s\n' "$scenario"
    log=$work/$scenario.log
    t0=$SECONDS
    # A fresh state directory per scenario and run (not another run's state under .ansible/).
    MOLECULE_EPHEMERAL_DIRECTORY=$work/molecule/$scenario \
        "$VENV/bin/molecule" test -s "$scenario" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    # molecule's own idempotence step: the second converge must change nothing.
    recap=$(awk '/idempotence\] Executing/ {f = 1} f && /^localhost / {print; exit}' "$log" \
            | tr -s ' ')
    if grep -q "idempotence\] Executed: Successful" "$log"; then
        idem="idempotent, second converge: $recap"
    elif grep -q "Idempotence test failed" "$log"; then
        idem="NOT idempotent: $(grep -A20 'Idempotence test failed' "$log" | grep '^\* ' | tr '\n' ' ')"
    else
        idem="idempotence not reached"
    fi
    if [ "$rc" -eq 0 ]; then
        echo "--- molecule $scenario: ok ($((SECONDS - t0)) s); $idem"
    else
        echo "--- molecule $scenario: FAILED (exit $rc, $((SECONDS - t0)) s); $idem"
        failed+=("$scenario")
    fi
done

if ((${#failed[@]})); then
    printf 'molecule FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "molecule: all ${#scenarios[@]} scenarios passed"
