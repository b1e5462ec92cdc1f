#!/usr/bin/env bash
# Secrets audit: run playbooks that drive both modules through their success
# and failure paths with a static token and with sign-in credentials, in the
# controller and as modules, plain and with -vvv, --diff and --check. Capture
# every byte of output (stdout, stderr, ANSIBLE_LOG_PATH, JUnit reports) and
# fail if a secret appears in it. A self-check first proves that the scan
# finds a secret that a playbook prints on purpose.
set -euo pipefail

# ansible-test copies integration_config.yml two levels above the target and
# passes the inventory path in INVENTORY_PATH.
config="$(cd ../.. && pwd)/integration_config.yml"
[[ -f "${config}" ]] || { echo "ERROR: ${config} not found; run through ansible-test integration" >&2; exit 1; }
inventory="${INVENTORY_PATH:?INVENTORY_PATH is not set; run through ansible-test integration}"

work="${OUTPUT_DIR:-$(mktemp -d)}/secrets_audit"
rm -rf "${work}"
mkdir -p "${work}/capture" "${work}/selfcheck"

# Secrets that integration_config.yml does not carry: the password of the
# seed's two-factor account (tests/emulator/seed.json), and a rejected token, a
# rejected password and the self-check canary that are new for each run. They
# go to the playbooks and to check_secrets.py in a vars file, not on the
# command line.
python - "${work}/run_secrets.json" <<'PY'
import json
import secrets
import sys

values = {
    'audit_twofactor_password': 'emulator-2fa-password',
    'audit_wrong_token': 'wrong-token-' + secrets.token_hex(8),
    'audit_wrong_password': 'wrong-password-' + secrets.token_hex(8),
    'audit_canary': 'canary-' + secrets.token_hex(8),
}
with open(sys.argv[1], 'w', encoding='utf-8') as output:
    json.dump(values, output)
PY

run_playbook() {
    # run_playbook CAPTURE_DIR NAME PLAYBOOK [ANSIBLE-PLAYBOOK OPTION...]
    local capture="$1" name="$2" playbook="$3"
    shift 3
    local status=0
    mkdir -p "${capture}/junit-${name}"
    ANSIBLE_LOG_PATH="${capture}/${name}.log" \
    JUNIT_OUTPUT_DIR="${capture}/junit-${name}" \
        ansible-playbook -i "${inventory}" -e "@${config}" -e "@${work}/run_secrets.json" \
        "${playbook}" "$@" >"${capture}/${name}.out" 2>&1 || status=$?
    echo "${name}: ansible-playbook exit code ${status}, $(wc -l <"${capture}/${name}.out") lines of output"
    if [[ "${status}" -ne 0 ]]; then
        tail -n 40 "${capture}/${name}.out" >&2
        return 1
    fi
}

config_value() {
    python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]])' "${config}" "$1"
}

scan() {
    python check_secrets.py --config "${config}" --run-secrets "${work}/run_secrets.json" "$@"
}

echo "== Self-check: the scan must find a secret that a playbook prints"
run_playbook "${work}/selfcheck" canary canary.yml -vvv
if scan --expect-leak "${work}/selfcheck"; then
    echo "Self-check passed: the scan found the printed canary and token."
else
    echo "ERROR: self-check failed: the scan did not find the secrets that canary.yml printed." >&2
    exit 1
fi

echo "== Audit runs"
for path in controller module; do
    run_in_controller=$([[ "${path}" == controller ]] && echo true || echo false)
    for variant in plain vvv diff check; do
        case "${variant}" in
            plain) options=() ;;
            vvv) options=(-vvv) ;;
            diff) options=(-vvv --diff) ;;
            check) options=(-vvv --check --diff) ;;
        esac
        run_playbook "${work}/capture" "${path}-${variant}" audit.yml \
            -e "{\"portsip_pbx_run_in_controller\": ${run_in_controller}}" "${options[@]}"
    done
done

# The PORTSIP_PBX_* variables are exported for ansible-playbook only. They
# are not set with the task keyword environment:, because with -vvv
# ansible-core prints those variables in the command line of a module run.
for path in controller module; do
    run_in_controller=$([[ "${path}" == controller ]] && echo true || echo false)
    PORTSIP_PBX_TOKEN="$(config_value pbx_token)" \
        run_playbook "${work}/capture" "${path}-env-token" env_fallback.yml \
        -e "{\"portsip_pbx_run_in_controller\": ${run_in_controller}}" -vvv --diff
    PORTSIP_PBX_USERNAME="$(config_value pbx_username)" PORTSIP_PBX_PASSWORD="$(config_value pbx_password)" \
        PORTSIP_PBX_DOMAIN="$(config_value pbx_domain)" \
        run_playbook "${work}/capture" "${path}-env-password" env_fallback.yml \
        -e "{\"portsip_pbx_run_in_controller\": ${run_in_controller}}" -vvv --diff
done

echo "== Scan of the audit output"
scan "${work}/capture"
