#!/usr/bin/env bash
# Runs a suite against a test bed of its own: brings the bed up, runs the suite, and always brings
# the bed down again (also on failure or Ctrl-C). Exit status: the suite's.
#   tests/run.sh all    every test and gate (what `make test` and CI run)
#   tests/run.sh bed    only the bed's own tests
#   tests/run.sh integration   only the modules' integration tests
#   tests/run.sh reliability  faults, bad input, secrets, concurrency, TLS
#   tests/run.sh molecule  the roles' molecule scenarios
#   tests/run.sh bench  the full benchmark (the quick one is part of 'all')
#   tests/run.sh demo   the demo playbook, twice (from the seeded state: it resets the bed first)
# The bed is the one EOS_BED_DIR and EOS_BED_KEYSTONE_PORT/EOS_BED_PORT/EOS_BED_TLS_PORT name
# (default .testbed/, ports 18500-18502) unless that one is in use (up, starting, its ports
# answer, or another run has it): then a bed of the run's own, EOS_RUN_BED_DIR and
# EOS_RUN_BED_KEYSTONE_PORT/EOS_RUN_BED_PORT/EOS_RUN_BED_TLS_PORT (default .testbed-run/, ports
# 18520-18522). A bed in use is never reset or stopped: when the run's own is in use too, the run
# fails before it starts anything.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
VENV=${VENV:-.venv}
BED=(python3 tests/testbed/bed.py)
suite=${1:-all}
# The suites talk to this run's bed only: the caller's OS_* variables (say `bed.py env` of a bed
# they run, which tests/molecule.sh would take over the run's bed) must not send one elsewhere.
unset "${!OS_@}"

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

suites=(all bed integration reliability molecule bench demo)
if [[ " ${suites[*]} " != *" $suite "* ]]; then
    echo "unknown suite: $suite (${suites[*]})"
    exit 2
fi

started=$(date +%s)
# A bed someone else runs (make bed-up and their work in it, another checkout's on the same
# ports, another run of this script) is left alone. 'in_use DIR KEYSTONE SIMULATOR TLS' succeeds
# when the bed in DIR on these ports cannot be this run's, with the reasons in $busy, one a line.
# Otherwise this run holds DIR's lock (fd 9 on DIR/run.lock) until it exits, so that no other
# run takes the bed meanwhile, also while it installs or starts (before its ports answer).
in_use() {
    local dir=$1 holder
    shift
    busy=
    if ! mkdir -p "$dir" || ! exec 9>>"$dir/run.lock"; then
        busy="cannot write $dir/run.lock"
        return 0
    fi
    if ! flock -n 9; then
        holder=$(cat "$dir/run.lock" 2>/dev/null)
        busy="another tests/run.sh (pid ${holder:-unknown}) is using it ($dir/run.lock is locked)"
        exec 9>&-
        return 0
    fi
    echo $$ >"$dir/run.lock"
    busy=$(
        # A service with a live PID (up, or still starting), and the ports asked for and those
        # of the bed's state file.
        EOS_BED_DIR=$dir "${BED[@]}" status 2>/dev/null | awk '$1 ~ /^(keystone|simulator(-tls)?)$/ \
            && ($2 == "up" || $3 != "pid=-") {print $1 " is running (" $2 ", " $3 ", " $4 ")"}'
        for port in "$@" $(EOS_BED_DIR=$dir bed_ports); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                who=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:.*')
                echo "port $port answers${who:+ ($who)}"
            fi
        done | sort -u
    )
    [ -n "$busy" ] || return 1
    exec 9>&-
}
say_busy() {
    local reasons
    mapfile -t reasons <<<"$busy"
    printf '  - %s\n' "${reasons[@]}"
}

command -v flock >/dev/null || { echo "tests/run.sh needs flock (util-linux)"; exit 2; }
EOS_BED_DIR=$(realpath -m "${EOS_BED_DIR:-.testbed}")
EOS_BED_KEYSTONE_PORT=${EOS_BED_KEYSTONE_PORT:-18500}
EOS_BED_PORT=${EOS_BED_PORT:-18501}
EOS_BED_TLS_PORT=${EOS_BED_TLS_PORT:-18502}
export EOS_BED_DIR EOS_BED_KEYSTONE_PORT EOS_BED_PORT EOS_BED_TLS_PORT
if in_use "$EOS_BED_DIR" "$EOS_BED_KEYSTONE_PORT" "$EOS_BED_PORT" "$EOS_BED_TLS_PORT"; then
    theirs="$EOS_BED_DIR (ports $EOS_BED_KEYSTONE_PORT, $EOS_BED_PORT, $EOS_BED_TLS_PORT)"
    EOS_BED_DIR=$(realpath -m "${EOS_RUN_BED_DIR:-.testbed-run}")
    EOS_BED_KEYSTONE_PORT=${EOS_RUN_BED_KEYSTONE_PORT:-18520}
    EOS_BED_PORT=${EOS_RUN_BED_PORT:-18521}
    EOS_BED_TLS_PORT=${EOS_RUN_BED_TLS_PORT:-18522}
    ours="$EOS_BED_DIR (ports $EOS_BED_KEYSTONE_PORT, $EOS_BED_PORT, $EOS_BED_TLS_PORT)"
    echo "the test bed $theirs is in use, so this run leaves it alone:"
    say_busy
    if in_use "$EOS_BED_DIR" "$EOS_BED_KEYSTONE_PORT" "$EOS_BED_PORT" "$EOS_BED_TLS_PORT"; then
        echo "and the bed this run would use instead, $ours, is in use too:"
        say_busy
        echo "Nothing was started, reset or stopped. If another tests/run.sh (make test, make demo," \
             "...) uses that bed, wait until it ends. If none runs: a bed left up there stops with" \
             "'EOS_BED_DIR=$EOS_BED_DIR python3 tests/testbed/bed.py down', and 'ss -ltnp' shows" \
             "what else listens on a port. Or give this run another bed: EOS_RUN_BED_DIR and free" \
             "ports in EOS_RUN_BED_KEYSTONE_PORT, EOS_RUN_BED_PORT and EOS_RUN_BED_TLS_PORT."
        exit 1
    fi
    first=
    [ -e "$EOS_BED_DIR/venv" ] || first=" (its first start installs Keystone there: 30-60 s)"
    echo "this run uses a bed of its own, $ours, and takes only that one down$first"
fi
# Ctrl-C from here on brings this run's bed down (it is this run's: nobody else had it).
trap 'down; exit 130' INT TERM
step "test bed up"
if ! "${BED[@]}" up; then
    down
    exit 1
fi

failed=()
run() {
    local name=$1; shift
    step "$name"
    local t0=$SECONDS
    if "$@" 9>&-; then  # the bed's lock is this script's, not held on by what a suite leaves
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
        log=$EOS_BED_DIR/logs/requests.jsonl
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
        run "fleet benchmark (the report and the reads at 100 to 5,000 departments)" \
            "${VENV_BENCH:-.venv-bench}/bin/python" tests/bench/fleet.py
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
        # The targets' Pythons the docs claim (3.10 and newer): the oldest and the newest too.
        run "ansible-test units (target Python 3.10)" \
            tests/tooling/ansible-test.sh "$VENV" units --venv --python 3.10
        run "ansible-test units (target Python 3.13)" \
            tests/tooling/ansible-test.sh "$VENV" units --venv --python 3.13
        run "mypy (module_utils, plugin_utils)" tests/tooling/mypy.sh "$VENV"
        run "ansible-test sanity (newest ansible-core)" \
            tests/tooling/ansible-test.sh "$VENV" sanity --venv --python 3.12
        run "ansible-test sanity (oldest ansible-core)" \
            tests/tooling/ansible-test.sh "${VENV_OLDEST:-.venv-core-oldest}" sanity --venv --python 3.12
        run "release hygiene (changelog, docs drift and lint, galaxy build/install/importer)" \
            tests/release/check.sh
        run "benchmark, quick mode (numbers are not the point here: it must not rot)" \
            "${VENV_BENCH:-.venv-bench}/bin/python" tests/bench/benchmark.py --quick
        run "fleet benchmark, quick mode" "${VENV_BENCH:-.venv-bench}/bin/python" tests/bench/fleet.py --quick
        run "ansible-lint --profile production" env PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/ansible-lint" --profile production
        ;;
esac

trap - INT TERM
down || failed+=("test bed down")
step "summary ($(( $(date +%s) - started )) s)"
if ((${#failed[@]})); then
    printf 'FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "all passed"
