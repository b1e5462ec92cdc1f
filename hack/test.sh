#!/usr/bin/env bash
# Run every check, stopping at the first failure:
#   1. hack/lint.sh: tarball build, ansible-lint, changelog and docs lint, galaxy-importer
#   2. hack/pytest.sh: pytest tests/emulator
#   3. for each MATRIX entry: ansible-test sanity, units and integration
# Prints one summary line per stage at the end, and a closing
# "stages: N passed, N failed" line.
#
# Usage: hack/test.sh         (MATRIX="2.21:3.12" hack/test.sh runs one entry)
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/lib.sh"

print_summary() {
    local status=$?
    local passed=0 failed=0
    [[ -f "${SUMMARY_FILE}" ]] || return "${status}"
    passed="$(grep -c '^PASSED' "${SUMMARY_FILE}" || true)"
    failed="$(grep -c '^FAILED' "${SUMMARY_FILE}" || true)"
    # A stage that died before run_stage could record it still fails the run.
    if [[ "${status}" -ne 0 && "${failed}" -eq 0 ]]; then
        printf 'FAILED  %s\n' "stopped before a stage finished (exit code ${status})" >>"${SUMMARY_FILE}"
        failed=1
    fi
    printf '\n===== summary (%s, total %ds) =====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(( $(date +%s) - run_start ))"
    cat "${SUMMARY_FILE}"
    printf 'stages: %d passed, %d failed\n' "${passed}" "${failed}"
    return "${status}"
}

run_start="$(date +%s)"
mkdir -p "${BUILD_DIR}"
rm -f "${SUMMARY_FILE}"
trap print_summary EXIT

log "version matrix: ${MATRIX}"
"${REPO_ROOT}/hack/lint.sh"
"${REPO_ROOT}/hack/pytest.sh"
for entry in ${MATRIX}; do
    "${REPO_ROOT}/hack/ansible-test.sh" "${entry%%:*}" "${entry#*:}" sanity units integration
done
