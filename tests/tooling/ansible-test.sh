#!/usr/bin/env bash
# Copyright: easystack.eos maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run ansible-test against this collection from any clone location, offline.
#
# Usage: tests/tooling/ansible-test.sh <venv-dir> <ansible-test args...>
#   e.g. tests/tooling/ansible-test.sh .venv sanity --venv --python 3.12
#        tests/tooling/ansible-test.sh .venv-oldest units --venv --python 3.12
#
# <venv-dir> is a virtual environment that has ansible-core installed (its
# bin/ansible-test is run). The script
#   1. mirrors the collection's files (git ls-files -co --exclude-standard) into
#      <repo>/.cache/ansible-test/<venv name>/ansible_collections/<ns>/<name>/,
#      recreated on every run, with an empty git repository of its own;
#      ansible-test needs that directory layout and resolves the working
#      directory, so a symlink to the checkout does not work;
#   2. installs tests/tooling/get_pip_standin.py as ansible-test's cached pip
#      bootstrap script for the pip version(s) this ansible-core pins, so no
#      download from outside the package index is attempted;
#   3. puts <venv-dir>/bin first on PATH (so "python3.X" of the venv is found)
#      and, under pyenv, links of the real python3.X of every installed pyenv
#      version next (ansible-test drops PYENV_VERSION, and a shim of a version
#      that is not selected fails);
#   4. runs <venv-dir>/bin/ansible-test "$@" in the mirror, copies the mirror's
#      tests/output/ back to <repo>/tests/output/ and exits with its exit code.
set -u -o pipefail

if [ "$#" -lt 1 ]; then
    echo "usage: $0 <venv-dir> <ansible-test args...>" >&2
    exit 2
fi

venv_arg=$1
shift

if [ ! -x "${venv_arg}/bin/ansible-test" ]; then
    echo "$0: ${venv_arg}/bin/ansible-test not found; create the venv first (e.g. make)" >&2
    exit 2
fi

venv=$(cd "${venv_arg}" && pwd -P) || exit 2
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P) || exit 2
repo=$(git -C "${script_dir}" rev-parse --show-toplevel) || {
    echo "$0: ${script_dir} is not inside a git checkout" >&2
    exit 2
}

# NAMESPACE, NAME and mirror_collection, shared with the release scripts.
# shellcheck source=tests/release/lib.sh
source "${repo}/tests/release/lib.sh"
if [ -z "${NAMESPACE}" ] || [ -z "${NAME}" ]; then
    echo "$0: cannot read namespace/name from ${repo}/galaxy.yml" >&2
    exit 2
fi

# 1. Mirror the collection (fresh each run, so deleted files do not linger).
venv_tag=${venv##*/}
venv_tag=${venv_tag//[^A-Za-z0-9._-]/_}
mirror_root="${repo}/.cache/ansible-test/${venv_tag}"
rm -rf "${mirror_root}"
mirror=$(mirror_collection "${mirror_root}") || {
    echo "$0: copying the collection to ${mirror_root} failed" >&2
    exit 2
}
# ansible-test lists content with git from the nearest directory holding .git;
# without one here it would find this repo (where .cache/ is ignored) and see
# no files. An empty repository makes it list the mirror's files as untracked.
git -C "${mirror}" -c init.defaultBranch=main init -q || exit 2

# 2. Install the get-pip stand-in for the pip version(s) this ansible-test pins.
pip_versions=$("${venv}/bin/python" - <<'PYTHON'
import types
from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS
from ansible_test._internal.python_requirements import get_venv_packages
versions = {get_venv_packages(types.SimpleNamespace(version=v)).get('pip') for v in SUPPORTED_PYTHON_VERSIONS}
print('\n'.join(sorted(v for v in versions if v)))
PYTHON
) || {
    echo "$0: cannot read the pip version pinned by ansible-test in ${venv}" >&2
    exit 2
}
# shellcheck disable=SC2031  # lib.sh changes HOME only inside a subshell of its own helper
cache_dir="${HOME}/.ansible/test/cache"
mkdir -p "${cache_dir}" || exit 2
for pip_version in ${pip_versions}; do
    target="${cache_dir}/get_pip_${pip_version//./_}.py"
    # keep a genuine get-pip.py that someone placed there; refresh our own copy
    if [ ! -e "${target}" ] || grep -q 'easystack.eos get-pip stand-in' "${target}"; then
        cp "${script_dir}/get_pip_standin.py" "${target}.tmp" && mv -f "${target}.tmp" "${target}" || exit 2
    fi
done

# 3. Environment.
export PATH="${venv}/bin:${PATH}"
export VIRTUAL_ENV="${venv}"
if command -v pyenv >/dev/null 2>&1; then
    # pyenv's python3.X shims fail unless that version is selected, and
    # ansible-test passes PYENV_VERSION on to nothing; link the real
    # interpreters of every installed pyenv version (global one first) instead.
    links="${mirror_root}/python-bin"
    mkdir -p "${links}" || exit 2
    pyenv_global=$(pyenv global 2>/dev/null | head -n 1)
    for version in ${pyenv_global} $(pyenv versions --bare 2>/dev/null | grep -v /); do
        prefix=$(pyenv prefix "${version}" 2>/dev/null) || continue
        for interpreter in "${prefix}"/bin/python[0-9].*; do
            exe=${interpreter##*/}
            if [[ ${exe} =~ ^python[0-9]+\.[0-9]+$ ]] && [ -x "${interpreter}" ] && [ ! -e "${links}/${exe}" ]; then
                ln -s "${interpreter}" "${links}/${exe}"
            fi
        done
    done
    export PATH="${venv}/bin:${links}:${PATH#"${venv}/bin:"}"
fi

# 4. Run ansible-test in the mirror.
cd "${mirror}" || exit 2
"${venv}/bin/ansible-test" "$@"
rc=$?

if [ -d "${mirror}/tests/output" ]; then
    mkdir -p "${repo}/tests/output" && cp -a "${mirror}/tests/output/." "${repo}/tests/output/"
fi
exit "${rc}"
