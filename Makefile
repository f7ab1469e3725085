# easystack.eos developer commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The controller venv (ansible-core 2.21 needs Python 3.12); the test bed has its own venv.
PYTHON312 ?= $(shell PYENV_VERSION=3.12 pyenv which python3 2>/dev/null || command -v python3.12)
VENV ?= .venv
# The oldest ansible-core in meta/runtime.yml's requires_ansible, for sanity only.
VENV_OLDEST ?= .venv-core-oldest
BED := python3 tests/testbed/bed.py

.PHONY: help typecheck venv venv-oldest venv-bench bench release-check docs molecule demo test test-bed test-integration units sanity lint bed-up bed-down bed-status bed-reset bed-measure bed-env requirements clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

venv: $(VENV)/.requirements-stamp ## create the controller venv from requirements/dev.txt

$(VENV)/.requirements-stamp: requirements/dev.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (set PYTHON312=...)"; exit 1; }
	rm -rf $(VENV)
	$(PYTHON312) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

venv-oldest: $(VENV_OLDEST)/.requirements-stamp ## venv with the oldest supported ansible-core

$(VENV_OLDEST)/.requirements-stamp: requirements/core-oldest.txt
	rm -rf $(VENV_OLDEST)
	$(PYTHON312) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/pip install --quiet --disable-pip-version-check -r requirements/core-oldest.txt
	touch $@

VENV_BENCH ?= .venv-bench
venv-bench: $(VENV_BENCH)/.requirements-stamp ## the benchmark's venv (ansible package + openstacksdk 4.14)

$(VENV_BENCH)/.requirements-stamp: requirements/bench.txt
	rm -rf $(VENV_BENCH)
	$(PYTHON312) -m venv $(VENV_BENCH)
	$(VENV_BENCH)/bin/pip install --quiet --disable-pip-version-check -r requirements/bench.txt
	touch $@

bench: venv venv-bench ## the benchmark (bed up/down around it): tables, JSON in tests/output/
	tests/run.sh bench

demo: venv ## bring the test bed up, run the demo playbook twice, bring the bed down
	tests/run.sh demo

test: venv venv-oldest venv-bench ## THE test command: bed up, every test and gate, bed down (also on failure)
	tests/run.sh all

test-bed: venv ## only the test bed's own tests (bed brought up and down around them)
	tests/run.sh bed

test-integration: venv ## only the modules' integration tests against the bed
	tests/run.sh integration

molecule: venv ## the roles' molecule scenarios (bed brought up and down around them)
	tests/run.sh molecule

units: venv ## ansible-test units (no bed needed): the controller's Python and the targets' oldest and newest
	tests/tooling/ansible-test.sh $(VENV) units --venv --python 3.12
	tests/tooling/ansible-test.sh $(VENV) units --venv --python 3.10
	tests/tooling/ansible-test.sh $(VENV) units --venv --python 3.13

typecheck: venv ## mypy over plugins/module_utils and plugins/plugin_utils
	tests/tooling/mypy.sh $(VENV)

sanity: venv venv-oldest ## ansible-test sanity (no ignore files), newest and oldest ansible-core
	tests/tooling/ansible-test.sh $(VENV) sanity --venv --python 3.12
	tests/tooling/ansible-test.sh $(VENV_OLDEST) sanity --venv --python 3.12

lint: venv ## ansible-lint --profile production
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/ansible-lint --profile production

release-check: ## changelog lint, docs drift, lint-collection-docs, galaxy build/install/importer
	tests/release/check.sh

docs: ## regenerate docs/reference/ from the modules' and roles' own documentation
	tests/release/docs.sh generate

bed-up: ## start the test bed (installs and bootstraps on first use)
	$(BED) up
bed-down: ## stop the test bed (data stays)
	$(BED) down
bed-status: ## show what the test bed runs
	$(BED) status
bed-reset: ## back to the seeded state
	$(BED) reset
bed-measure: venv ## print the bed's memory use and median request latencies (bed must be up)
	$(VENV)/bin/python tests/testbed/measure.py
bed-env: ## print OS_* exports for the test bed's admin
	@$(BED) env

requirements: ## re-pin requirements/dev.txt from requirements/dev.in
	rm -rf /tmp/eos-pin && $(PYTHON312) -m venv /tmp/eos-pin
	/tmp/eos-pin/bin/pip install --quiet -r requirements/dev.in
	{ echo "# Pinned from dev.in (pip freeze in a fresh Python 3.12 venv). Regenerate with 'make requirements'."; \
	  /tmp/eos-pin/bin/pip freeze; } > requirements/dev.txt

clean: ## stop the bed and delete venvs, bed state and build outputs
	-$(BED) destroy
	rm -rf $(VENV) $(VENV_OLDEST) $(VENV_BENCH) .venv-release .testbed .cache tests/output easystack-eos-*.tar.gz
