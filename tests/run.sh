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

down() {
    step "test bed down"
    "${BED[@]}" down || return 1
    if "${BED[@]}" status >/dev/null; then echo "bed still answers after down"; return 1; fi
}

started=$(date +%s)
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
        mark=$(stat -c %s "$log")
        run "demo: second run (nothing to change, nothing written)" \
            "$VENV/bin/ansible-playbook" playbooks/demo.yml
        sent=$(tail -c +"$((mark + 1))" "$log" | wc -l)
        written=$(tail -c +"$((mark + 1))" "$log" | grep -c '"method": "PATCH"')
        echo "--- second run: $sent HTTP requests, $written writes (PATCH)"
        [ "$written" -eq 0 ] || failed+=("demo: second run wrote")
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
