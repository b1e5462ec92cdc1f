#!/usr/bin/env bash
# Run the emulator's own tests (tests/emulator) with pytest in the venv of the
# first matrix entry. Unit tests of the collection run under ansible-test units
# instead (hack/ansible-test.sh), which needs the ansible_collections layout.
#
# Usage: hack/pytest.sh
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/lib.sh"

read -r first_entry _ <<<"${MATRIX}"
core="${first_entry%%:*}"
python_version="${first_entry#*:}"

run_emulator_tests() {
    local venv_dir
    venv_dir="$("${REPO_ROOT}/hack/venv.sh" "${core}" "${python_version}")"
    cd "${REPO_ROOT}"
    # -p no:cacheprovider keeps pytest from writing .pytest_cache into the work tree.
    "${venv_dir}/bin/python" -m pytest -p no:cacheprovider tests/emulator
}

if [[ -n "$(find "${REPO_ROOT}/tests/emulator" -name 'test_*.py' -print -quit 2>/dev/null)" ]]; then
    run_stage "pytest tests/emulator (python ${python_version})" run_emulator_tests
else
    record_summary "SKIPPED pytest tests/emulator: no test_*.py file under tests/emulator"
fi
