#!/usr/bin/env bash
# Run the checks that need one run per change rather than one per ansible-core
# version: build the collection tarball, ansible-lint, antsibull-changelog lint,
# antsibull-docs lint and galaxy-importer. The tools run in build/venv-tools
# (Python 3.12, versions pinned in hack/requirements-tools.txt).
#
# Usage: hack/lint.sh
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/lib.sh"

tools_venv="${BUILD_DIR}/venv-tools"
dist_dir="${BUILD_DIR}/dist"

prepare_tools_venv() {
    local base_python requirements="${REPO_ROOT}/hack/requirements-tools.txt"
    base_python="$(find_python "${TOOLS_PYTHON}")" \
        || die "Python ${TOOLS_PYTHON} not found: install it with pyenv or put python${TOOLS_PYTHON} on PATH"
    local stamp stamp_file="${tools_venv}/.hack-venv-stamp"
    stamp="$(printf '%s\n' "${base_python}" | cat - "${requirements}" | sha256sum | cut -d' ' -f1)"

    if [[ -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp}" ]]; then
        log "venv ${tools_venv} is up to date"
        return 0
    fi
    log "creating venv ${tools_venv} (Python ${TOOLS_PYTHON} from ${base_python})"
    rm -rf "${tools_venv}"
    "${base_python}" -m venv "${tools_venv}"
    "${tools_venv}/bin/python" -m pip install -qq --upgrade pip
    "${tools_venv}/bin/python" -m pip install -qq -r "${requirements}"
    printf '%s\n' "${stamp}" >"${stamp_file}"
}

build_tarball() {
    rm -rf "${dist_dir}"
    mkdir -p "${dist_dir}"
    ansible-galaxy collection build "${COPY_DIR}" --output-path "${dist_dir}"
}

tarball_path() {
    local tarballs=("${dist_dir}"/"${COLLECTION_NAMESPACE}-${COLLECTION_NAME}"-*.tar.gz)
    [[ -f "${tarballs[0]}" ]] || die "no collection tarball in ${dist_dir}: run the build stage first"
    printf '%s\n' "${tarballs[0]}"
}

run_ansible_lint() {
    # ANSIBLE_COLLECTIONS_PATH makes portsip.pbx resolve to the copy, so the
    # playbooks and integration targets are linted against this collection's
    # module documentation and argument specs.
    cd "${COPY_DIR}"
    ANSIBLE_COLLECTIONS_PATH="${BUILD_DIR}" ansible-lint --offline --profile production --nocolor \
        --config-file "${REPO_ROOT}/hack/ansible-lint.yml"
}

run_changelog_lint() {
    cd "${COPY_DIR}"
    antsibull-changelog lint
}

run_docs_lint() {
    cd "${COPY_DIR}"
    antsibull-docs lint-collection-docs --plugin-docs .
}

run_galaxy_importer() {
    local tarball config="${BUILD_DIR}/galaxy-importer.cfg" output="${BUILD_DIR}/galaxy-importer.log"
    tarball="$(tarball_path)"
    # galaxy-importer runs ansible-test only as `ansible-test sanity --docker`,
    # which needs a container engine, so it is off here: the matrix stages run
    # ansible-test instead. ansible-doc and ansible-lint run as on Galaxy.
    cat >"${config}" <<'CFG'
[galaxy-importer]
run_ansible_test = False
run_ansible_doc = True
run_ansible_lint = True
offline_ansible_lint = True
check_changelog = True
require_v1_or_greater = True
CFG
    GALAXY_IMPORTER_CONFIG="${config}" python -m galaxy_importer.main "${tarball}" 2>&1 | tee "${output}"
    # galaxy-importer exits 0 even when it reports errors, so fail on any
    # ERROR line in its log.
    if grep -E '(^|[^A-Z])ERROR' "${output}" >/dev/null; then
        log "galaxy-importer reported errors:"
        grep -E '(^|[^A-Z])ERROR' "${output}" >&2
        return 1
    fi
}

prepare_tools_venv
export PATH="${tools_venv}/bin:${PATH}"
"${REPO_ROOT}/hack/copy-collection.sh" "${COPY_DIR}"

run_stage "build collection tarball" build_tarball
run_stage "execution environment (ansible-builder create)" \
    env COLLECTION_TARBALL="$(tarball_path)" PYTHON="$(find_python "${TOOLS_PYTHON}")" "${REPO_ROOT}/tests/ee/test_ee.sh"
run_stage "ansible-lint" run_ansible_lint
run_stage "antsibull-changelog lint" run_changelog_lint
run_stage "antsibull-docs lint-collection-docs" run_docs_lint
run_stage "galaxy-importer" run_galaxy_importer
