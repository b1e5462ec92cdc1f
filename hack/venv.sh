#!/usr/bin/env bash
# Create or update a venv with one ansible-core release series and the test
# packages from hack/requirements-test.txt, then seed ansible-test's pip
# bootstrap cache for it (see hack/seed-get-pip.py).
#
# Usage: hack/venv.sh ANSIBLE_CORE_SERIES PYTHON_VERSION [VENV_DIR]
#   hack/venv.sh 2.16 3.11             -> build/venv-core2.16-py3.11
#   hack/venv.sh 2.16 3.11 .venv       -> .venv
# Prints the venv directory on standard output.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/lib.sh"

[[ $# -ge 2 ]] || die "usage: hack/venv.sh ANSIBLE_CORE_SERIES PYTHON_VERSION [VENV_DIR]"
core="$1"
python_version="$2"
venv_dir="${3:-$(matrix_venv_dir "${core}" "${python_version}")}"
[[ "${core}" =~ ^[0-9]+\.[0-9]+$ ]] || die "invalid ansible-core series '${core}': expected MAJOR.MINOR, for example 2.16"

base_python="$(find_python "${python_version}")" \
    || die "Python ${python_version} not found: install it with pyenv or put python${python_version} on PATH"

requirements="${REPO_ROOT}/hack/requirements-test.txt"
core_spec="ansible-core>=${core},<${core%.*}.$(( ${core#*.} + 1 ))"
stamp="$(printf '%s\n' "${base_python}" "${core_spec}" | cat - "${requirements}" | sha256sum | cut -d' ' -f1)"
stamp_file="${venv_dir}/.hack-venv-stamp"

if [[ -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp}" && -x "${venv_dir}/bin/ansible-test" ]]; then
    log "venv ${venv_dir} is up to date"
else
    log "creating venv ${venv_dir} (${core_spec}, Python ${python_version} from ${base_python})"
    rm -rf "${venv_dir}"
    "${base_python}" -m venv "${venv_dir}"
    "${venv_dir}/bin/python" -m pip install -qq --upgrade pip
    "${venv_dir}/bin/python" -m pip install -qq "${core_spec}" -r "${requirements}"
    printf '%s\n' "${stamp}" >"${stamp_file}"
fi

"${venv_dir}/bin/python" "${REPO_ROOT}/hack/seed-get-pip.py" >&2
log "venv ${venv_dir}: ansible-core $("${venv_dir}/bin/python" -c 'import ansible.release; print(ansible.release.__version__)')"
printf '%s\n' "${venv_dir}"
