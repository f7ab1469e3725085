#!/usr/bin/env bash
# Runs a suite against the test bed: brings the bed up, runs the suite, and always brings the
# bed down again (also on failure or Ctrl-C). Exit status: the suite's.
#   tests/run.sh all    every test and gate (what `make test` and CI run)
#   tests/run.sh bed    only the bed's own tests
#   tests/run.sh integration   only the modules' integration tests
#   tests/run.sh reliability  faults, bad input, secrets, concurrency, TLS
#   tests/run.sh molecule  the roles' molecule scenarios
#   tests/run.sh bench  the full benchmark (the quick one is part of 'all')
#   tests/run.sh demo   the demo playbook, twice
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
VENV=${VENV:-.venv}
BED=(python3 tests/testbed/bed.py)
suite=${1:-all}

step() { printf '\n=== %s\n' "$*"; }

# The bed's ports (keystone, simulator, simulator-tls), from its state file; empty without one.
bed_ports() {
    "${BED[@]}" env --format json 2>/dev/null \
        | python3 -c 'import json, sys; print(*json.load(sys.stdin)["ports"].values())' 2>/dev/null
}

# Fails when any service of the bed is still up after 'down': one that bed.py status reports up
# (status exits non-zero as soon as one service is down, so its exit status cannot tell), or any
# of the bed's ports that still accepts a connection.
down() {
    step "test bed down"
    local ports port left=()
    ports=$(bed_ports)
    "${BED[@]}" down || return 1
    while read -r port; do
        [ -n "$port" ] && left+=("$port")
    done < <("${BED[@]}" status 2>/dev/null | awk '$2 == "up" {print $1}')
    for port in $ports; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then left+=("port $port answers"); fi
    done
    if ((${#left[@]})); then echo "bed still up after down: ${left[*]}"; return 1; fi
}

# requests_since LOG MARK: "<requests> <writes (PATCH)>" logged in LOG after byte MARK; fails
# when LOG is missing or shorter than MARK (then nothing can be counted, which is not 0 writes).
requests_since() {
    local size
    size=$(stat -c %s "$1" 2>/dev/null) || { echo "no request log at $1" >&2; return 1; }
    [ "$size" -ge "$2" ] || { echo "$1 shrank below byte $2" >&2; return 1; }
    tail -c +"$(($2 + 1))" "$1" | awk '/"method": "PATCH"/ {w++} NF {n++} END {print n + 0, w + 0}'
}

started=$(date +%s)
# A bed someone already runs (make bed-up, their own work in it, or another checkout's on the
# default ports) is left alone: this run brings up a bed of its own, with its own state
# directory and ports, and takes only that one down.
default_ports_busy() {
    local port
    for port in 18500 18501 18502; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    done
    return 1
}
if [ -z "${EOS_BED_DIR:-}" ] && { "${BED[@]}" status 2>/dev/null \
        | awk '$2 == "up" {found = 1} END {exit !found}' || default_ports_busy; }; then
    export EOS_BED_DIR=$PWD/.testbed-run EOS_BED_PORT=18521 EOS_BED_KEYSTONE_PORT=18520 EOS_BED_TLS_PORT=18522
    echo "a test bed is already up (.testbed, or ports 18500-18502 in use): left alone; this run uses its own in $EOS_BED_DIR" \
         "(ports 18520-18522; its first start installs Keystone there)"
fi
step "test bed up"
if ! "${BED[@]}" up; then
    down
    exit 1
fi
trap 'down; exit 130' INT TERM

failed=()
run() {
    local name=$1; shift
    step "$name"
    local t0=$SECONDS
    if "$@"; then
        echo "--- $name: ok ($((SECONDS - t0)) s)"
    else
        echo "--- $name: FAILED ($((SECONDS - t0)) s)"
        failed+=("$name")
    fi
}

case $suite in
    demo)
        "${BED[@]}" reset >/dev/null  # start from the seeded state, so the first run has work
        # shellcheck disable=SC1090
        eval "$("${BED[@]}" env)"
        collections=$(mktemp -d)
        mkdir -p "$collections/ansible_collections/easystack"
        ln -s "$PWD" "$collections/ansible_collections/easystack/eos"
        EOS_DEMO_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
        export EOS_DEMO_PASSWORD ANSIBLE_COLLECTIONS_PATH=$collections
        export ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
        run "demo: first run" "$VENV/bin/ansible-playbook" playbooks/demo.yml
        log=${EOS_BED_DIR:-.testbed}/logs/requests.jsonl
        mark=$(stat -c %s "$log" 2>/dev/null) || mark=0  # requests_since fails if still missing
        run "demo: second run (nothing to change, nothing written)" \
            "$VENV/bin/ansible-playbook" playbooks/demo.yml
        if counts=$(requests_since "$log" "$mark"); then
            read -r sent written <<<"$counts"
            echo "--- second run: $sent HTTP requests, $written writes (PATCH)"
            [ "$sent" -gt 0 ] || failed+=("demo: second run sent no request the bed logged")
            [ "$written" -eq 0 ] || failed+=("demo: second run wrote")
        else
            failed+=("demo: second run's requests not counted")
        fi
        rm -rf "$collections"
        ;;
    bed)
        run "test bed tests" "$VENV/bin/pytest" -q tests/testbed/tests
        ;;
    bench)
        run "benchmark" "${VENV_BENCH:-.venv-bench}/bin/python" tests/bench/benchmark.py
        ;;
    reliability)
        run "reliability: fault matrix, bad input, secrets at -vvvv, concurrency, TLS" \
            "$VENV/bin/pytest" -q tests/reliability
        ;;
    molecule)
        run "molecule (roles: converge, idempotence, verify)" tests/molecule.sh
        ;;
    integration)
        run "integration tests (modules against the bed)" "$VENV/bin/pytest" -q tests/integration
        ;;
    all)
        run "test bed tests" "$VENV/bin/pytest" -q tests/testbed/tests
        run "integration tests (modules against the bed)" "$VENV/bin/pytest" -q tests/integration
        run "reliability: fault matrix, bad input, secrets at -vvvv, concurrency, TLS" \
            "$VENV/bin/pytest" -q tests/reliability
        run "molecule (roles: converge, idempotence, verify)" tests/molecule.sh
        run "quota report in headless Chromium" "$VENV/bin/pytest" -q tests/report
        run "AWX (ansible-runner credential paths) and execution environment" \
            "$VENV/bin/pytest" -q tests/awx
        run "ansible-test units" tests/tooling/ansible-test.sh "$VENV" units --venv --python 3.12
        run "ansible-test sanity (newest ansible-core)" \
            tests/tooling/ansible-test.sh "$VENV" sanity --venv --python 3.12
        run "ansible-test sanity (oldest ansible-core)" \
            tests/tooling/ansible-test.sh "${VENV_OLDEST:-.venv-core-oldest}" sanity --venv --python 3.12
        run "release hygiene (changelog, docs drift and lint, galaxy build/install/importer)" \
            tests/release/check.sh
        run "benchmark, quick mode (numbers are not the point here: it must not rot)" \
            "${VENV_BENCH:-.venv-bench}/bin/python" tests/bench/benchmark.py --quick
        run "ansible-lint --profile production" env PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/ansible-lint" --profile production
        ;;
    *)
        echo "unknown suite: $suite (all, bed, integration, reliability, molecule, bench, demo)"; down; exit 2 ;;
esac

trap - INT TERM
down || failed+=("test bed down")
step "summary ($(( $(date +%s) - started )) s)"
if ((${#failed[@]})); then
    printf 'FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "all passed"
