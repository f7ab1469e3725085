#!/usr/bin/env bash
# Release hygiene in one command; exit status 0 only when every step passes. Needs no test bed
# and no network beyond PyPI (only to create .venv-release the first time).
#
#   tests/release/check.sh
#
#  1. changelog: `antsibull-changelog lint`, and the release of galaxy.yml's version rendered
#     in a scratch copy (`antsibull-changelog release`, or `generate` once it is released): no
#     antsibull-changelog warning, a valid changelog.yaml, and a CHANGELOG.rst that docutils
#     renders without a warning;
#  2. docs: docs/reference/ equals a fresh antsibull-docs rendering (no drift), and
#     `antsibull-docs lint-collection-docs --plugin-docs` passes (both output formats);
#  3. build: `ansible-galaxy collection build` into a temp dir; the tarball holds the
#     collection's content and none of the build/test outputs, venvs, caches or bed state;
#  4. install: `ansible-galaxy collection install` of the tarball into an empty path;
#     with only that path (and an empty HOME), `ansible-doc` finds the modules and an ad-hoc
#     eos_domain_usage_info without credentials fails cleanly with "No credentials";
#  5. galaxy-importer on the tarball (tests/release/galaxy-importer.cfg): it must complete
#     and print no WARNING and no ERROR line.
set -u -o pipefail
# shellcheck source=tests/release/lib.sh
source "$(dirname "$0")/lib.sh"

ensure_release_venv || exit 2
BIN=${VENV_RELEASE}/bin
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "${tmp}"' EXIT
started=${SECONDS}
failed=()

run() {
    local name=$1; shift
    printf '\n=== %s\n' "${name}"
    local t0=${SECONDS}
    if "$@"; then
        echo "--- ${name}: ok ($((SECONDS - t0)) s)"
    else
        echo "--- ${name}: FAILED ($((SECONDS - t0)) s)"
        failed+=("${name}")
    fi
}

# ---------------------------------------------------------------------------------------------
changelog_lint() {
    (cd "${REPO}" && "${BIN}/antsibull-changelog" lint)
}

changelog_preview() {
    local copy out
    copy=$(mirror_collection "${tmp}/changelog") || return 1
    out=$(
        isolated_ansible_env "${tmp}/changelog"
        mkdir -p "${tmp}/changelog-home" && cd "${copy}" || exit 1
        changelog=(env "HOME=${tmp}/changelog-home" "${BIN}/antsibull-changelog")
        if "${BIN}/python" -c 'import sys, yaml
releases = yaml.safe_load(open("changelogs/changelog.yaml")).get("releases") or {}
sys.exit(0 if sys.argv[1] in releases else 1)' "${VERSION}"; then
            # already released: the changelog must still generate (new fragments would warn)
            "${changelog[@]}" generate 2>&1 || { echo "antsibull-changelog generate failed"; exit 1; }
            if compgen -G 'changelogs/fragments/*.y*ml' >/dev/null; then
                echo "WARNING fragments exist but ${VERSION} is released: bump galaxy.yml's version"
            fi
        else
            "${changelog[@]}" release --version "${VERSION}" 2>&1 \
                || { echo "antsibull-changelog release failed"; exit 1; }
        fi
    ) || { echo "${out}"; return 1; }
    # antsibull-changelog's own warnings start with "WARNING "; ansible-core's "[WARNING]: ..."
    # about its internal _protomatter collection (no galaxy.yml) is not ours and is ignored.
    if grep -E '^(WARNING|ERROR) ' <<<"${out}"; then
        echo "antsibull-changelog release ${VERSION} warned (above)"
        return 1
    fi
    (cd "${copy}" && "${BIN}/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml) || return 1
    "${BIN}/python" - "${copy}/CHANGELOG.rst" <<'PYTHON' || return 1
import sys
import docutils.core
path = sys.argv[1]
docutils.core.publish_file(source_path=path, destination_path="/dev/null", writer_name="html",
                           settings_overrides={"report_level": 2, "halt_level": 2})
lines = open(path).read().splitlines()
titles = [line for line, under in zip(lines, lines[1:])
          if line.strip() and len(under) >= len(line) and set(under) <= set("=-")]
print("CHANGELOG.rst of the release renders without warnings: %s" % " / ".join(titles))
PYTHON
}

# ---------------------------------------------------------------------------------------------
docs_drift() {
    generate_reference "${tmp}/reference" || return 1
    if diff -ru "${REPO}/docs/reference" "${tmp}/reference"; then
        echo "docs/reference/ matches the modules' documentation ($(find "${tmp}/reference" -type f | wc -l) files)"
    else
        echo "docs/reference/ is out of date: run tests/release/docs.sh generate and commit"
        return 1
    fi
}

docs_lint() {
    local copy format rc=0
    copy=$(mirror_collection "${tmp}/lint") || return 1
    for format in ansible-docsite simplified-rst; do
        (
            isolated_ansible_env "${tmp}/lint"
            mkdir -p "${tmp}/lint-home" && cd "${copy}" || exit 1
            HOME=${tmp}/lint-home "${BIN}/antsibull-docs" lint-collection-docs --plugin-docs \
                --output-format "${format}" .
        ) || { echo "lint-collection-docs (${format}) failed"; rc=1; }
    done
    [ "${rc}" -eq 0 ] && echo "lint-collection-docs --plugin-docs: no findings (ansible-docsite, simplified-rst)"
    return "${rc}"
}

# ---------------------------------------------------------------------------------------------
TARBALL=
build() {
    mkdir -p "${tmp}/build"
    (cd "${REPO}" && "${BIN}/ansible-galaxy" collection build --output-path "${tmp}/build" .) || return 1
    TARBALL=${tmp}/build/${NAMESPACE}-${NAME}-${VERSION}.tar.gz
    [ -f "${TARBALL}" ] || { echo "no ${TARBALL}"; return 1; }
    tar -tzf "${TARBALL}" | sed 's|/$||' | sort > "${tmp}/contents.txt" || return 1
    echo "$(wc -l < "${tmp}/contents.txt") entries, $(du -k "${TARBALL}" | cut -f1) KiB"

    local rc=0 path pattern hits
    # Must be in: the collection's content.
    for path in MANIFEST.json FILES.json README.md meta/runtime.yml changelogs/changelog.yaml \
        changelogs/config.yaml docs/reference/index.rst docs/docsite/links.yml \
        docs/getting-started.md docs/troubleshooting.md; do
        grep -qxF "${path}" "${tmp}/contents.txt" || { echo "missing from the tarball: ${path}"; rc=1; }
    done
    for path in "${REPO}"/plugins/*/*.py; do
        path=${path#"${REPO}/"}
        grep -qxF "${path}" "${tmp}/contents.txt" || { echo "missing from the tarball: ${path}"; rc=1; }
    done
    if [ -d "${REPO}/roles" ]; then
        while IFS= read -r path; do
            grep -qxF "${path}" "${tmp}/contents.txt" || { echo "missing from the tarball: ${path}"; rc=1; }
        done < <(cd "${REPO}" && git ls-files -co --exclude-standard roles)
    fi
    # Must be out: outputs, venvs, caches, the bed's state, CI and dev tooling.
    for pattern in '^\.venv' '^\.testbed(/|$)' '^\.cache(/|$)' '^\.ansible(/|$)' '^\.ci(/|$)' \
        '^tests/output(/|$)' '(^|/)\.pytest_cache(/|$)' '(^|/)\.hypothesis(/|$)' \
        '(^|/)__pycache__(/|$)' '\.py[co]$' '\.tar\.gz$' '(^|/)importer_result\.json$' \
        '^Makefile$' '^requirements(/|$)' '(^|/)\.git(/|$)' '\.(db|sqlite|log|pid)$' \
        '(^|/)bed\.json$' '(^|/)clouds\.ya?ml$' '(^|/)secure\.ya?ml$'; do
        hits=$(grep -E "${pattern}" "${tmp}/contents.txt")
        if [ -n "${hits}" ]; then
            echo "must not be in the tarball (${pattern}):"; echo "${hits}"; rc=1
        fi
    done
    [ "${rc}" -eq 0 ] && echo "tarball content: required files present, no outputs/venvs/caches/bed state"
    return "${rc}"
}

install_and_run() {
    [ -n "${TARBALL}" ] || { echo "no tarball (build failed)"; return 1; }
    local home=${tmp}/home collections=${tmp}/collections work=${tmp}/adhoc out rc
    mkdir -p "${home}" "${collections}" "${work}"
    # A minimal environment: no OS_* variables, no clouds.yaml, nothing but the clean path.
    local -a clean_env=(env -i "PATH=${BIN}:/usr/bin:/bin" "HOME=${home}" "LANG=C.UTF-8"
        "ANSIBLE_COLLECTIONS_PATH=${collections}" "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false"
        "ANSIBLE_LOCALHOST_WARNING=0" "ANSIBLE_INVENTORY_UNPARSED_WARNING=0" "ANSIBLE_NOCOLOR=1")
    "${clean_env[@]}" "${BIN}/ansible-galaxy" collection install --offline -p "${collections}" \
        "${TARBALL}" || return 1
    local installed=${collections}/ansible_collections/${NAMESPACE}/${NAME}
    [ -f "${installed}/MANIFEST.json" ] || { echo "not installed at ${installed}"; return 1; }

    out=$(cd "${work}" && "${clean_env[@]}" "${BIN}/ansible-galaxy" collection list "${FQCN}" 2>&1)
    grep -q "^${FQCN} *${VERSION}" <<<"${out}" || { echo "${out}"; echo "collection list: not found"; return 1; }

    local module
    for module in eos_domain_quota eos_domain_usage_info eos_user_password; do
        out=$(cd "${work}" && "${clean_env[@]}" "${BIN}/ansible-doc" "${FQCN}.${module}" 2>&1) \
            || { echo "${out}"; echo "ansible-doc ${FQCN}.${module} failed"; return 1; }
        grep -qF "${installed}/plugins/modules/${module}.py" <<<"${out}" \
            || { echo "${out}" | head -5; echo "ansible-doc did not document ${module} from ${installed}"; return 1; }
    done
    echo "ansible-doc: the three modules documented from ${installed}"

    out=$(cd "${work}" && "${clean_env[@]}" "${BIN}/ansible" localhost \
        -m "${FQCN}.eos_domain_usage_info" -a "domain=acme" 2>&1)
    rc=$?
    if [ "${rc}" -ne 2 ] || ! grep -q 'FAILED!' <<<"${out}" || ! grep -q '"msg": "No credentials: ' <<<"${out}" \
        || grep -q -i 'traceback\|MODULE FAILURE' <<<"${out}"; then
        echo "${out}"
        echo "expected a clean 'No credentials' failure (rc 2), got rc ${rc}"
        return 1
    fi
    echo "ad-hoc eos_domain_usage_info from the installed collection: rc 2, $(grep -o '"msg": "No credentials: [^(]*' <<<"${out}")..."
}

galaxy_importer() {
    [ -n "${TARBALL}" ] || { echo "no tarball (build failed)"; return 1; }
    local work=${tmp}/importer out rc
    mkdir -p "${work}/home" "${work}/tmp"
    out=$(cd "${work}" && env -i "PATH=${BIN}:/usr/bin:/bin" "HOME=${work}/home" "LANG=C.UTF-8" \
        "TMPDIR=${work}/tmp" "GALAXY_IMPORTER_CONFIG=${REPO}/tests/release/galaxy-importer.cfg" \
        "GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=${work}/home/.ansible/tmp" \
        "${BIN}/python" -m galaxy_importer.main "${TARBALL}" 2>&1)
    rc=$?
    echo "${out}" | grep -v '^Loading \(module_utils\|doc_fragments\) '
    if [ "${rc}" -ne 0 ] || ! grep -qx 'Importer processing completed successfully' <<<"${out}"; then
        echo "galaxy-importer failed (rc ${rc})"
        return 1
    fi
    if grep -E '^(WARNING|ERROR|CRITICAL)|Traceback' <<<"${out}" >/dev/null; then
        echo "galaxy-importer printed warnings or errors:"
        grep -E '^(WARNING|ERROR|CRITICAL)|Traceback' <<<"${out}"
        return 1
    fi
    echo "galaxy-importer: no warnings, no errors"
}

run "antsibull-changelog lint" changelog_lint
run "changelog of release ${VERSION} (scratch copy)" changelog_preview
run "docs/reference/ drift" docs_drift
run "antsibull-docs lint-collection-docs --plugin-docs" docs_lint
run "ansible-galaxy collection build (tarball content)" build
run "install the tarball into a clean path and run from it" install_and_run
run "galaxy-importer" galaxy_importer

printf '\n=== release checks (%s s)\n' "$((SECONDS - started))"
if ((${#failed[@]})); then
    printf 'FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "all release checks passed"
