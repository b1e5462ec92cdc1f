#!/usr/bin/env bash
# Run the examples that docs/*.md show against the PBX emulator and check
# their outcome: exit status, and the "changed" count of the PLAY RECAP.
#
# Usage: docs/examples/run.sh EMULATOR_JSON COLLECTIONS_PATH
#   EMULATOR_JSON     the emulator.json that tests/emulator/pbx_emulator.py wrote
#   COLLECTIONS_PATH  directory with ansible_collections/portsip/pbx in it
#   LOG_DIR           where each example's output goes (default: a temporary directory)
#
# ansible-playbook and ansible-inventory must be on PATH, with requests in
# their Python. The emulator is reset before each group of examples, so the
# runs do not depend on earlier tests.
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 EMULATOR_JSON COLLECTIONS_PATH" >&2; exit 2; }
emulator_json="$1"
collections_path="$2"
examples_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log_dir="${LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/portsip-pbx-examples.XXXXXX")}"
mkdir -p "${log_dir}"
python="${PYTHON:-python3}"

[[ -f "${emulator_json}" ]] || { echo "emulator details ${emulator_json} not found" >&2; exit 2; }
[[ -d "${collections_path}/ansible_collections/portsip/pbx" ]] \
    || { echo "${collections_path} has no ansible_collections/portsip/pbx" >&2; exit 2; }

emulator_value() {
    "${python}" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "${emulator_json}" "$1"
}

PORTSIP_PBX_URL="$(emulator_value url)"
PORTSIP_PBX_TOKEN="$(emulator_value token)"
ca_path="$(emulator_value ca_path)"
export PORTSIP_PBX_URL PORTSIP_PBX_TOKEN
export ANSIBLE_COLLECTIONS_PATH="${collections_path}"
# Run in the examples directory, so relative paths (vars/, inventory/) resolve
# as they do for a reader.
cd "${examples_dir}"

passed=0
failed=0

reset_emulator() {
    "${python}" - "${PORTSIP_PBX_URL}" "${ca_path}" <<'PY'
import ssl
import sys
import urllib.request

url, ca_path = sys.argv[1:]
context = ssl.create_default_context(cafile=ca_path)
request = urllib.request.Request(url + '/_emulator/reset', data=b'{}', method='POST',
                                 headers={'Content-Type': 'application/json'})
with urllib.request.urlopen(request, context=context, timeout=30) as reply:
    if reply.status != 200:
        sys.exit('emulator reset failed with HTTP %d' % reply.status)
PY
}

# Print the sum of one PLAY RECAP counter (changed, failed, ...) over all hosts.
recap_total() {
    sed -n '/^PLAY RECAP/,$p' "$2" | grep -oE "$1=[0-9]+" | awk -F= '{ total += $2 } END { print total + 0 }'
}

# Run one example and check its result.
# Usage: check_example NAME EXPECTED_STATUS EXPECTED_CHANGED COMMAND [ARG...]
#   EXPECTED_STATUS   "zero" or "nonzero"
#   EXPECTED_CHANGED  "some" (> 0), "none" (= 0) or "any"
check_example() {
    local name="$1" expected_status="$2" expected_changed="$3"
    shift 3
    local log_file="${log_dir}/${name}.log" status=0 problem=""
    printf '== %s: %s\n' "${name}" "$*"
    "$@" >"${log_file}" 2>&1 || status=$?

    if [[ "${expected_status}" == zero && "${status}" -ne 0 ]]; then
        problem="exit status ${status}, expected 0"
    elif [[ "${expected_status}" == nonzero && "${status}" -eq 0 ]]; then
        problem="exit status 0, expected non-zero"
    fi
    if [[ -z "${problem}" && "${expected_changed}" != any ]]; then
        local changed
        changed="$(recap_total changed "${log_file}")"
        if [[ "${expected_changed}" == some && "${changed}" -eq 0 ]]; then
            problem="changed=0 in PLAY RECAP, expected changes"
        elif [[ "${expected_changed}" == none && "${changed}" -ne 0 ]]; then
            problem="changed=${changed} in PLAY RECAP, expected none"
        fi
    fi

    if [[ -z "${problem}" ]]; then
        passed=$(( passed + 1 ))
        printf 'PASSED  %s (exit status %d)\n' "${name}" "${status}"
    else
        failed=$(( failed + 1 ))
        printf 'FAILED  %s: %s; output: %s\n' "${name}" "${problem}" "${log_file}"
        tail -n 30 "${log_file}" | sed 's/^/    /'
    fi
}

# Check that an example's output contains a text.
# Usage: check_output NAME TEXT
check_output() {
    if grep -qF -- "$2" "${log_dir}/$1.log"; then
        passed=$(( passed + 1 ))
        printf 'PASSED  %s output contains "%s"\n' "$1" "$2"
    else
        failed=$(( failed + 1 ))
        printf 'FAILED  %s output does not contain "%s"; output: %s\n' "$1" "$2" "${log_dir}/$1.log"
    fi
}

ca=(-e "pbx_ca_path=${ca_path}")

# docs/role.md: the role changes the phones, and a second run changes nothing.
reset_emulator
check_example role-first-run zero some ansible-playbook role.yml --diff "${ca[@]}"
check_example role-second-run zero none ansible-playbook role.yml --diff "${ca[@]}"

# docs/drift-detection.md: check mode exits non-zero on drift, 0 without.
reset_emulator
check_example drift-role-with-drift nonzero any \
    ansible-playbook role.yml --check --diff -e dect_phone_members_fail_on_drift=true "${ca[@]}"
check_output drift-role-with-drift "did not match the declared members"
check_example drift-modules-with-drift nonzero any ansible-playbook drift_check.yml --check --diff "${ca[@]}"
check_output drift-modules-with-drift "DECT phones that differ from vars/dect_phones.yml"
check_example drift-apply zero some ansible-playbook role.yml "${ca[@]}"
check_example drift-role-without-drift zero none \
    ansible-playbook role.yml --check --diff -e dect_phone_members_fail_on_drift=true "${ca[@]}"
check_example drift-modules-without-drift zero none ansible-playbook drift_check.yml --check --diff "${ca[@]}"

# docs/module_defaults.md: one connection for all tasks of a play.
reset_emulator
check_example module-defaults-first-run zero some ansible-playbook module_defaults.yml --diff "${ca[@]}"
check_example module-defaults-second-run zero none ansible-playbook module_defaults.yml --diff "${ca[@]}"

# docs/inventory.md: one host per phone, with 10 forks and with 1.
reset_emulator
check_example inventory-graph zero any ansible-inventory -i inventory/pbx.dect_phones.yml --graph "${ca[@]}"
check_output inventory-graph "Ward_A_base"
check_output inventory-graph "@vendor_yealink"
check_example inventory-check-mode zero some \
    ansible-playbook -i inventory/pbx.dect_phones.yml inventory_members.yml --check --diff --forks 10 "${ca[@]}"
check_example inventory-forks-10 zero some \
    ansible-playbook -i inventory/pbx.dect_phones.yml inventory_members.yml --diff --forks 10 "${ca[@]}"
check_example inventory-forks-1 zero none \
    ansible-playbook -i inventory/pbx.dect_phones.yml inventory_members.yml --diff --forks 1 "${ca[@]}"

# docs/role.md: the role per inventory host reaches the same state as the module.
reset_emulator
check_example inventory-role zero some \
    ansible-playbook -i inventory/pbx.dect_phones.yml inventory_role.yml --diff "${ca[@]}"
check_example inventory-role-then-module zero none \
    ansible-playbook -i inventory/pbx.dect_phones.yml inventory_members.yml --diff "${ca[@]}"

printf 'examples: %d passed, %d failed\n' "${passed}" "${failed}"
[[ "${failed}" -eq 0 ]]
