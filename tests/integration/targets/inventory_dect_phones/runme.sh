#!/usr/bin/env bash
# Tests of the portsip.pbx.dect_phones inventory plugin against the emulator.
# ansible-test runs this script from the target directory, with the
# integration configuration (emulator URL, token, CA file) two levels up.
set -euxo pipefail

vars_file="$(cd ../.. && pwd)/integration_config.yml"
inventory_dir="${OUTPUT_DIR}"

# setup_emulator is a sibling target.
export ANSIBLE_ROLES_PATH=..

run_playbook() {
    ansible-playbook -e "@${vars_file}" -e "output_dir=${OUTPUT_DIR}" "$@"
}

# With a written configuration NAME.dect_phones.yml as the only inventory. An
# inventory that fails to parse is an error, not a warning, and only this
# plugin may read the file, so a failure shows this plugin's message.
dect_playbook() {
    ANSIBLE_INVENTORY_UNPARSED_FAILED=true ANSIBLE_INVENTORY_ENABLED=portsip.pbx.dect_phones \
        run_playbook -i "${inventory_dir}/$1.dect_phones.yml" "${@:2}"
}

dect_inventory() {
    ANSIBLE_INVENTORY_UNPARSED_FAILED=true ANSIBLE_INVENTORY_ENABLED=portsip.pbx.dect_phones \
        ansible-inventory -i "${inventory_dir}/$1.dect_phones.yml" --list "${@:2}"
}

expect_requests() {
    run_playbook check_requests.yml -e "$1" "${@:2}"
}

config_value() {
    python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]])' "${vars_file}" "$1"
}

run_playbook write_configs.yml "$@"

# Token from the configuration file: one GET, no sign-in.
run_playbook reset.yml "$@"
dect_playbook token hosts.yml "$@"
expect_requests '{"expected_requests": ["GET /api/dect_phones 200"]}' "$@"

# URL and token from PORTSIP_PBX_URL and PORTSIP_PBX_TOKEN.
PORTSIP_PBX_URL="$(config_value pbx_url)" PORTSIP_PBX_TOKEN="$(config_value pbx_token)" \
    dect_playbook env hosts.yml "$@"

# Token from a lookup and CA path from an extra variable (run_playbook passes
# the integration configuration with -e), both templates in the configuration file.
TEST_DECT_PHONES_TOKEN="$(config_value pbx_token)" \
    dect_playbook templated hosts.yml "$@"

# User name and password: the plugin signs in, reads and signs out.
run_playbook reset.yml "$@"
dect_inventory password "$@" >"${OUTPUT_DIR}/password.json"
expect_requests '{"expected_requests": ["POST /api/auth/sign_in 200", "GET /api/dect_phones 200", "POST /api/auth/sign_out 200"],
                  "expected_sessions": {"active": 0, "signed_in": 1, "signed_out": 1}}' "$@"

# Shuffled lists, null blanks and unknown fields give the same hosts.
run_playbook reset.yml -e '{"quirks": {"shuffle": true, "extra_fields": true, "null_blanks": true}}' "$@"
dect_playbook token hosts.yml "$@"

# The cache: the second run reads no phone list, --flush-cache reads it again.
run_playbook reset.yml "$@"
rm -rf "${OUTPUT_DIR}/inventory_cache"
dect_inventory cache "$@" >/dev/null
dect_inventory cache "$@" >/dev/null
expect_requests '{"expected_requests": ["GET /api/dect_phones 200"]}' "$@"
dect_playbook cache hosts.yml "$@"
dect_playbook cache hosts.yml --flush-cache "$@"
expect_requests '{"expected_requests": ["GET /api/dect_phones 200", "GET /api/dect_phones 200"]}' "$@"
if grep -r "$(config_value pbx_token)" "${OUTPUT_DIR}/inventory_cache"; then
    echo "the inventory cache contains the PBX token" >&2
    exit 1
fi

# A rejected token fails the inventory with the PBX's reason, without the token.
run_playbook reset.yml "$@"
if dect_inventory bad_token "$@" >/dev/null 2>"${OUTPUT_DIR}/bad_token.err"; then
    echo "ansible-inventory accepted a wrong token" >&2
    exit 1
fi
grep -q 'portsip.pbx.dect_phones: GET /api/dect_phones failed with HTTP 401' "${OUTPUT_DIR}/bad_token.err"
if grep -q 'wrong-token-SECRET-3a7f' "${OUTPUT_DIR}/bad_token.err"; then
    echo "the error output contains the token" >&2
    exit 1
fi

# One host per phone: check mode first, then the change with 1 fork, then
# again with 10 forks (nothing to change), then check mode (no drift).
# expect_posts counts every POST since the reset, so it stays at 4.
run_playbook reset.yml "$@"
dect_playbook token per_phone.yml --check --forks 10 \
    -e expect_change=true -e expect_stored=false -e expect_posts=0 "$@"
dect_playbook token per_phone.yml --forks 1 \
    -e expect_change=true -e expect_stored=true -e expect_posts=4 "$@"
dect_playbook token per_phone.yml --forks 10 \
    -e expect_change=false -e expect_stored=true -e expect_posts=4 "$@"
dect_playbook token per_phone.yml --check --forks 10 \
    -e expect_change=false -e expect_stored=true -e expect_posts=4 "$@"
