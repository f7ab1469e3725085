#!/usr/bin/env bash
# Type-checks plugins/module_utils and plugins/plugin_utils with mypy (config: mypy.ini beside
# this file). They import each other as ansible_collections.easystack.eos.plugins...: mypy
# reads them through a collections tree that links to this checkout.
#   tests/tooling/mypy.sh [venv]    (default .venv: the controller venv, which has mypy)
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 2
venv=${1:-.venv}
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/ansible_collections/easystack"
ln -s "$PWD" "$tree/ansible_collections/easystack/eos"
cd "$tree" || exit 2
"$OLDPWD/$venv/bin/mypy" --config-file "$OLDPWD/tests/tooling/mypy.ini" --cache-dir /dev/null \
    ansible_collections/easystack/eos/plugins/module_utils \
    ansible_collections/easystack/eos/plugins/plugin_utils
