#!/usr/bin/env bash
# Build and install the collection, start the PBX emulator and run the demo
# playbooks against it:
#   1. demo.yml --diff, which must report changed > 0 (it makes changes),
#   2. demo.yml --diff again, which must report changed = 0 (idempotence),
#   3. demo_info.yml.
# The playbooks are looked up in examples/, docs/examples/ and playbooks/ (or
# DEMO_DIR). They get the emulator's address and token through the
# PORTSIP_PBX_URL and PORTSIP_PBX_TOKEN environment variables and its CA
# certificate through the extra variable pbx_ca_path.
#
# Usage: hack/demo.sh
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/lib.sh"

demo_build_dir="${BUILD_DIR}/demo"
emulator_state_dir="${BUILD_DIR}/emulator"

find_demo_dir() {
    local candidates=("${DEMO_DIR:-}" examples docs/examples playbooks) dir
    for dir in "${candidates[@]}"; do
        [[ -n "${dir}" ]] || continue
        if [[ -f "${REPO_ROOT}/${dir}/demo.yml" && -f "${REPO_ROOT}/${dir}/demo_info.yml" ]]; then
            printf '%s\n' "${REPO_ROOT}/${dir}"
            return 0
        fi
    done
    die "demo playbooks not found: none of ${candidates[*]} (relative to ${REPO_ROOT}) contains both demo.yml and demo_info.yml"
}

# Print the sum of one PLAY RECAP counter (changed, failed, ...) over all hosts.
recap_total() {
    local counter="$1" log_file="$2"
    sed -n '/^PLAY RECAP/,$p' "${log_file}" \
        | grep -oE "${counter}=[0-9]+" \
        | awk -F= '{ total += $2 } END { print total + 0 }'
}

# Run one playbook, keep its output in build/demo/NAME.log and check its PLAY RECAP.
# Usage: run_playbook LOG_NAME EXPECTED_CHANGED PLAYBOOK [ARG...]
#   EXPECTED_CHANGED is "some" (> 0), "none" (= 0) or "any".
run_playbook() {
    local log_name="$1" expected_changed="$2"
    shift 2
    local log_file="${demo_build_dir}/${log_name}.log"

    log "ansible-playbook $*"
    ansible-playbook "$@" -e "pbx_ca_path=${ca_path}" 2>&1 | tee "${log_file}" \
        || die "${log_name}: ansible-playbook exited with code $?; output: ${log_file}"

    grep -q '^PLAY RECAP' "${log_file}" || die "${log_name}: no PLAY RECAP in ${log_file}"
    local changed failed unreachable
    changed="$(recap_total changed "${log_file}")"
    failed="$(recap_total failed "${log_file}")"
    unreachable="$(recap_total unreachable "${log_file}")"
    [[ "${failed}" -eq 0 && "${unreachable}" -eq 0 ]] \
        || die "${log_name}: PLAY RECAP reports failed=${failed} unreachable=${unreachable}"
    case "${expected_changed}" in
        some) [[ "${changed}" -gt 0 ]] || die "${log_name}: expected changed > 0 in PLAY RECAP, got changed=${changed}" ;;
        none) [[ "${changed}" -eq 0 ]] || die "${log_name}: expected changed=0 in PLAY RECAP (idempotence), got changed=${changed}" ;;
        any) ;;
    esac
    record_summary "PASSED  demo ${log_name}: changed=${changed}"
}

stop_emulator() {
    PYTHON="${venv_dir}/bin/python" "${REPO_ROOT}/hack/emulator.sh" stop "${emulator_state_dir}" || true
}

demo_dir="$(find_demo_dir)"
venv_dir="$("${REPO_ROOT}/hack/venv.sh" "${DEV_CORE}" "${DEV_PYTHON}" "${REPO_ROOT}/.venv")"
export PATH="${venv_dir}/bin:${PATH}"

# Build from a fresh copy so the tarball has the same files that the tests see.
"${REPO_ROOT}/hack/copy-collection.sh" "${COPY_DIR}"
rm -rf "${demo_build_dir}"
mkdir -p "${demo_build_dir}/dist" "${demo_build_dir}/collections"
# Only the installed tarball provides portsip.pbx, not the work tree.
export ANSIBLE_COLLECTIONS_PATH="${demo_build_dir}/collections"
ansible-galaxy collection build "${COPY_DIR}" --output-path "${demo_build_dir}/dist"
ansible-galaxy collection install --offline --force -p "${demo_build_dir}/collections" \
    "${demo_build_dir}/dist/${COLLECTION_NAMESPACE}-${COLLECTION_NAME}"-*.tar.gz
# The playbooks run on the implicit localhost, so there is no inventory to warn about.
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False

trap stop_emulator EXIT
info="$(PYTHON="${venv_dir}/bin/python" "${REPO_ROOT}/hack/emulator.sh" start "${emulator_state_dir}")"
PORTSIP_PBX_URL="$(PYTHON="${venv_dir}/bin/python" "${REPO_ROOT}/hack/emulator.sh" get "${emulator_state_dir}" url)"
PORTSIP_PBX_TOKEN="$(PYTHON="${venv_dir}/bin/python" "${REPO_ROOT}/hack/emulator.sh" get "${emulator_state_dir}" token)"
ca_path="$(PYTHON="${venv_dir}/bin/python" "${REPO_ROOT}/hack/emulator.sh" get "${emulator_state_dir}" ca_path)"
export PORTSIP_PBX_URL PORTSIP_PBX_TOKEN
log "emulator details in ${info}"

SUMMARY_FILE="${demo_build_dir}/summary.txt"
cd "${demo_dir}"
run_playbook first-run some demo.yml --diff
run_playbook second-run none demo.yml --diff
run_playbook info any demo_info.yml
log "demo passed; playbook output is in ${demo_build_dir}"
