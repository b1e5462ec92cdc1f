#!/usr/bin/env bash
# Check the sample execution environment in tests/ee without a container
# runtime. The script
#   1. installs ansible-builder and ansible-core into a venv,
#   2. builds the collection tarball from a clean copy of the repository
#      (or takes the one in $COLLECTION_TARBALL),
#   3. runs `ansible-builder create` (not build: no Docker or Podman here),
#   4. checks the generated build context: the Containerfile, the tarball and
#      requirements.yml in _build, then runs the image build's collection
#      install and dependency scan (the context's own introspect.py) on this
#      machine and checks that requests is among the Python requirements.
#
# Usage: tests/ee/test_ee.sh
#   PYTHON              interpreter for the venv (default: python3, 3.9 or later)
#   COLLECTION_TARBALL  use this tarball instead of building one
#   KEEP_EE_WORK_DIR=1  keep the temporary directory for inspection
set -euo pipefail

# ansible-builder release the checks were written against; a new release may
# change the layout of the build context.
ANSIBLE_BUILDER_VERSION=3.2.0

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-python3}"
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/portsip-pbx-ee.XXXXXX")"
checks_passed=0

cleanup() {
    if [[ "${KEEP_EE_WORK_DIR:-}" == 1 ]]; then
        printf 'work directory kept: %s\n' "${work_dir}" >&2
    else
        rm -rf "${work_dir}"
    fi
}
trap cleanup EXIT

log() {
    printf '[test_ee] %s\n' "$*" >&2
}

fail() {
    printf '[test_ee] FAILED: %s\n' "$*" >&2
    printf 'ee checks: %d passed, 1 failed\n' "${checks_passed}"
    exit 1
}

passed() {
    checks_passed=$(( checks_passed + 1 ))
    log "ok: $*"
}

log "installing ansible-builder ${ANSIBLE_BUILDER_VERSION} and ansible-core into ${work_dir}/venv"
"${python}" -m venv "${work_dir}/venv"
"${work_dir}/venv/bin/python" -m pip install -qq --upgrade pip
"${work_dir}/venv/bin/python" -m pip install -qq "ansible-builder==${ANSIBLE_BUILDER_VERSION}" ansible-core
export PATH="${work_dir}/venv/bin:${PATH}"

if [[ -n "${COLLECTION_TARBALL:-}" ]]; then
    [[ -f "${COLLECTION_TARBALL}" ]] || fail "COLLECTION_TARBALL ${COLLECTION_TARBALL} does not exist"
    tarball="${COLLECTION_TARBALL}"
else
    log "building the collection tarball from a copy of ${repo_root}"
    copy_dir="${work_dir}/src/ansible_collections/portsip/pbx"
    "${repo_root}/hack/copy-collection.sh" "${copy_dir}"
    ansible-galaxy collection build "${copy_dir}" --output-path "${work_dir}/dist" >&2
    tarballs=("${work_dir}"/dist/portsip-pbx-*.tar.gz)
    tarball="${tarballs[0]}"
    [[ -f "${tarball}" ]] || fail "ansible-galaxy collection build wrote no portsip-pbx-*.tar.gz to ${work_dir}/dist"
fi

# The EE directory as a user lays it out: the definition, requirements.yml and
# the renamed tarball side by side.
ee_dir="${work_dir}/ee"
mkdir -p "${ee_dir}"
cp "${repo_root}/tests/ee/execution-environment.yml" "${repo_root}/tests/ee/requirements.yml" "${ee_dir}/"
cp "${tarball}" "${ee_dir}/portsip-pbx.tar.gz"

context="${work_dir}/context"
log "ansible-builder create -f ${ee_dir}/execution-environment.yml -c ${context}"
ansible-builder create --file "${ee_dir}/execution-environment.yml" --context "${context}" \
    --output-filename Containerfile >&2

containerfile="${context}/Containerfile"
[[ -f "${containerfile}" ]] || fail "ansible-builder create wrote no ${containerfile}"
passed "Containerfile exists"

grep -q 'ansible-galaxy collection install .*-r requirements.yml' "${containerfile}" \
    || fail "the Containerfile does not install collections from requirements.yml"
grep -q 'introspect.py introspect' "${containerfile}" \
    || fail "the Containerfile does not scan the collections for Python requirements"
passed "Containerfile installs the collections and scans them for requirements"

context_tarball="${context}/_build/collections/portsip-pbx.tar.gz"
[[ -f "${context_tarball}" ]] || fail "the build context has no ${context_tarball}"
cmp -s "${tarball}" "${context_tarball}" || fail "${context_tarball} differs from ${tarball}"
passed "build context contains the collection tarball"

grep -q 'collections/portsip-pbx.tar.gz' "${context}/_build/requirements.yml" \
    || fail "${context}/_build/requirements.yml does not name collections/portsip-pbx.tar.gz"
passed "build context contains requirements.yml for the tarball"

# The image build runs ansible-galaxy in _build (WORKDIR /build); do the same here.
installed="${work_dir}/installed"
(cd "${context}/_build" && ansible-galaxy collection install -r requirements.yml -p "${installed}" >&2)
[[ -f "${installed}/ansible_collections/portsip/pbx/MANIFEST.json" ]] \
    || fail "installing from the build context's requirements.yml did not install portsip.pbx"
passed "requirements.yml in the build context installs portsip.pbx"

# The image build runs the context's introspect.py on the installed collections
# to collect their Python requirements, which come from meta/ee-requirements.txt.
python_requirements="${work_dir}/requirements.txt"
python "${context}/_build/scripts/introspect.py" introspect "${installed}" \
    --write-pip "${python_requirements}" --write-bindep "${work_dir}/bindep.txt" >&2
grep -Eq '^requests([^A-Za-z0-9_.-]|$)' "${python_requirements}" \
    || fail "requests is not among the Python requirements found in the build context: $(cat "${python_requirements}")"
passed "Python requirements of the image include requests"

printf 'ee checks: %d passed, 0 failed\n' "${checks_passed}"
