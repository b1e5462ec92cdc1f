# Build, test and demo targets for the portsip.pbx collection. Every target
# installs what it needs into venvs under build/ (or .venv), so a machine needs
# only python3 and the Python versions of the matrix (pyenv or pythonX.Y on PATH).
#
# MATRIX selects ansible-core series and Python pairs, for example:
#   make sanity MATRIX=2.21:3.12
# The default is set in hack/lib.sh.

SHELL := /bin/bash
export MATRIX

.PHONY: help venv demo test lint pytest sanity units integration clean bench

help:
	@echo 'make venv         create .venv (Python 3.11, ansible-core 2.16, test packages)'
	@echo 'make demo         build, install and run the demo playbooks against the emulator'
	@echo 'make test         run all checks below for every matrix entry, stop at the first failure'
	@echo 'make lint         build the tarball, ansible-lint, changelog and docs lint, galaxy-importer'
	@echo 'make pytest       run pytest tests/emulator'
	@echo 'make sanity       ansible-test sanity for every matrix entry'
	@echo 'make units        ansible-test units for every matrix entry'
	@echo 'make integration  ansible-test integration against the emulator for every matrix entry'
	@echo 'make bench        benchmark against the emulator, write docs/benchmarks.md and .png (not part of make test)'
	@echo 'make clean        remove build/ and .venv'

venv:
	hack/venv.sh 2.16 3.11 .venv

demo:
	hack/demo.sh

test:
	hack/test.sh

lint:
	hack/lint.sh

pytest:
	hack/pytest.sh

sanity units integration:
	hack/matrix.sh $@

bench:
	bench/run.sh

clean:
	rm -rf build .venv tests/output
