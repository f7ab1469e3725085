# shellcheck shell=bash
# Shared by the release scripts (sourced, not run): paths, the release-tools venv, a mirror of
# the collection under ansible_collections/<namespace>/<name>/, and timed steps.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
VENV_RELEASE=${VENV_RELEASE:-${REPO}/.venv-release}
RELEASE_REQUIREMENTS=${REPO}/requirements/release.txt

galaxy_value() {
    sed -n "s/^$1:[[:space:]]*\\([A-Za-z0-9_.+-]*\\).*/\\1/p" "${REPO}/galaxy.yml" | head -n 1
}
NAMESPACE=$(galaxy_value namespace)
NAME=$(galaxy_value name)
# shellcheck disable=SC2034  # used by the scripts that source this file
VERSION=$(galaxy_value version)
FQCN=${NAMESPACE}.${NAME}

python312() {
    if [ -n "${PYTHON312:-}" ]; then
        echo "${PYTHON312}"
    elif command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=3.12 pyenv which python3 2>/dev/null; then
        :
    else
        command -v python3.12
    fi
}

# Creates (or re-creates, when requirements/release.txt is newer) the release-tools venv.
ensure_release_venv() {
    local stamp=${VENV_RELEASE}/.requirements-stamp
    if [ -f "${stamp}" ] && [ "${stamp}" -nt "${RELEASE_REQUIREMENTS}" ] \
        && [ -x "${VENV_RELEASE}/bin/antsibull-docs" ]; then
        return 0
    fi
    local python
    python=$(python312) || true
    if [ -z "${python}" ]; then
        echo "Python 3.12 not found (set PYTHON312=...)" >&2
        return 1
    fi
    echo "creating ${VENV_RELEASE} from requirements/release.txt"
    rm -rf "${VENV_RELEASE}"
    "${python}" -m venv "${VENV_RELEASE}" || return 1
    "${VENV_RELEASE}/bin/pip" install --quiet --disable-pip-version-check \
        -r "${RELEASE_REQUIREMENTS}" || return 1
    touch "${stamp}"
}

# mirror_collection DIR: copies the collection's files (tracked and untracked, not ignored:
# what `git ls-files -co --exclude-standard` lists) to DIR/ansible_collections/<ns>/<name>/
# and prints that path. A copy, not a symlink, so that nothing ignored leaks in.
mirror_collection() {
    local target=$1/ansible_collections/${NAMESPACE}/${NAME}
    mkdir -p "${target}" || return 1
    (
        cd "${REPO}" || exit 1
        git ls-files -z -co --exclude-standard | while IFS= read -r -d '' path; do
            if [ -e "${path}" ] || [ -L "${path}" ]; then  # not deleted from the work tree
                printf '%s\0' "${path}"
            fi
        done | xargs -0 --no-run-if-empty cp -P --parents -t "${target}"
    ) || return 1
    echo "${target}"
}

# Environment in which only the given collections path is searched.
isolated_ansible_env() {
    export ANSIBLE_COLLECTIONS_PATH=$1
    export PATH="${VENV_RELEASE}/bin:${PATH}"
    export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
    export ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
    export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
}

# generate_reference DEST: the module (and role) reference from the plugins' own
# documentation, rendered by antsibull-docs as simplified RST (renders on GitHub without
# Sphinx) into DEST, which must not exist yet.
generate_reference() {
    local dest=$1 work
    work=$(mktemp -d) || return 1
    mirror_collection "${work}" >/dev/null || { rm -rf "${work}"; return 1; }
    mkdir -m 700 "${dest}" || { rm -rf "${work}"; return 1; }
    (
        isolated_ansible_env "${work}"
        export HOME=${work}/home ANSIBLE_LOCAL_TEMP=${work}/tmp
        mkdir -p "${HOME}" || exit 1
        cd "${work}" || exit 1
        "${VENV_RELEASE}/bin/antsibull-docs" collection --use-current --squash-hierarchy \
            --output-format simplified-rst --no-add-antsibull-docs-version --fail-on-error \
            --dest-dir "${dest}" "${FQCN}"
    )
    local rc=$?
    rm -rf "${work}"
    return "${rc}"
}
