#!/usr/bin/env bash
# Run ansible-test stages for one entry of the version matrix: prepare the
# venv (hack/venv.sh), make a fresh copy of the collection
# (hack/copy-collection.sh) and run the requested stages in that copy.
#
# Usage: hack/ansible-test.sh ANSIBLE_CORE_SERIES PYTHON_VERSION STAGE...
#   STAGE is sanity, units or integration.
# Results of each stage are under build/ansible_collections/portsip/pbx/tests/output
# until the next run replaces the copy.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/lib.sh"

[[ $# -ge 3 ]] || die "usage: hack/ansible-test.sh ANSIBLE_CORE_SERIES PYTHON_VERSION STAGE..."
core="$1"
python_version="$2"
shift 2

venv_dir="$("${REPO_ROOT}/hack/venv.sh" "${core}" "${python_version}")"
export PATH="${venv_dir}/bin:${PATH}"
"${REPO_ROOT}/hack/copy-collection.sh" "${COPY_DIR}"
cd "${COPY_DIR}"

emulator_state_dir="${BUILD_DIR}/emulator-core${core}-py${python_version}"
junit_summary() {
    "${venv_dir}/bin/python" "${REPO_ROOT}/hack/junit-summary.py" "$@"
}

stop_emulator() {
    PYTHON="${venv_dir}/bin/python" "${REPO_ROOT}/hack/emulator.sh" stop "${emulator_state_dir}" || true
}

run_sanity() {
    # --python limits the multi-version tests (compile, import) to the matrix
    # Python, so no test reports a Python version that is not installed as passed.
    # --junit writes a report per test, skipped ones included.
    local output="${BUILD_DIR}/sanity-core${core}-py${python_version}.log"
    local status=0
    ansible-test sanity --venv --python "${python_version}" --junit 2>&1 | tee "${output}" || status=$?
    # ansible-test exits 0 when it finds no files to test.
    if grep -q 'All targets skipped' "${output}"; then
        log "ansible-test found no files to test in ${COPY_DIR}"
        return 1
    fi
    junit_summary --require-tests sanity tests/output/junit/ansible-test-sanity-*.xml
    return "${status}"
}

run_units() {
    if [[ -z "$(find tests/unit -type f -name 'test_*.py' -print -quit 2>/dev/null)" ]]; then
        die "no unit tests: tests/unit contains no test_*.py file, so the units stage has nothing to run"
    fi
    ansible-test units --venv --python "${python_version}"
    # Count the test cases in pytest's JUnit report so that a run that collected
    # nothing fails.
    local reports=()
    mapfile -t reports < <(find tests/output/junit -name "python${python_version}-*units*.xml" 2>/dev/null)
    [[ ${#reports[@]} -gt 0 ]] || die "ansible-test units wrote no JUnit report under tests/output/junit"
    junit_summary --require-tests units "${reports[@]}"
}

run_integration() {
    if [[ -z "$(find tests/integration/targets -mindepth 1 -maxdepth 1 -type d -print -quit 2>/dev/null)" ]]; then
        die "no integration targets: tests/integration/targets is missing or contains no directory"
    fi

    trap stop_emulator EXIT
    local info
    info="$(PYTHON="${venv_dir}/bin/python" "${REPO_ROOT}/hack/emulator.sh" start "${emulator_state_dir}" "${COPY_DIR}")"
    "${venv_dir}/bin/python" "${REPO_ROOT}/hack/write-integration-config.py" "${info}" \
        tests/integration/integration_config.yml
    # --requirements installs tests/integration/requirements.txt (requests) into ansible-test's venv.
    ansible-test integration --venv --requirements --python "${python_version}"
    # The docs' runnable examples run against the same emulator, with this matrix entry's ansible-core.
    LOG_DIR="${BUILD_DIR}/examples-core${core}-py${python_version}" \
        "${COPY_DIR}/docs/examples/run.sh" "${info}" "${BUILD_DIR}"
    stop_emulator
    trap - EXIT
}

for stage in "$@"; do
    case "${stage}" in
        sanity) run_stage "sanity (core ${core}, python ${python_version})" run_sanity ;;
        units) run_stage "units (core ${core}, python ${python_version})" run_units ;;
        integration) run_stage "integration (core ${core}, python ${python_version})" run_integration ;;
        *) die "unknown stage '${stage}': expected sanity, units or integration" ;;
    esac
done
