# shellcheck shell=bash
# Shared settings and helpers for the scripts in hack/. Source it, do not run it.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-${REPO_ROOT}/build}"

# Version matrix as ANSIBLE_CORE_SERIES:PYTHON_VERSION pairs. The first entry
# is the oldest ansible-core that meta/runtime.yml claims (requires_ansible),
# the last is the newest release series on the package index when this was set.
# ansible-core 2.20 and later need Python 3.12 or later.
DEFAULT_MATRIX="2.16:3.11 2.21:3.12"
MATRIX="${MATRIX:-${DEFAULT_MATRIX}}"

# Python and ansible-core series of the tools venv (linters, docs and changelog
# checks, galaxy-importer) and of the developer venv made by `make venv`.
TOOLS_PYTHON="${TOOLS_PYTHON:-3.12}"
DEV_CORE="${DEV_CORE:-2.16}"
DEV_PYTHON="${DEV_PYTHON:-3.11}"

# The scripts that source this file use these names; shellcheck checks this
# file on its own and would report them as unused (SC2034).
# shellcheck disable=SC2034
COLLECTION_NAMESPACE=portsip
COLLECTION_NAME=pbx
# shellcheck disable=SC2034
COPY_DIR="${BUILD_DIR}/ansible_collections/${COLLECTION_NAMESPACE}/${COLLECTION_NAME}"
SUMMARY_FILE="${BUILD_DIR}/summary.txt"

log() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# Print the path of an interpreter for Python VERSION (for example 3.12).
# pyenv installs are checked first because pyenv shims for versions other than
# the global one exist on PATH but fail when run.
find_python() {
    local version="$1" candidate
    local pyenv_root="${PYENV_ROOT:-${HOME}/.pyenv}"
    local candidates=()

    # Newest patch release first.
    while IFS= read -r candidate; do
        candidates+=("${candidate}")
    done < <(find "${pyenv_root}/versions" -mindepth 3 -maxdepth 3 \
                -path "${pyenv_root}/versions/${version}.*/bin/python${version}" 2>/dev/null | sort -rV)
    candidate="$(command -v "python${version}" 2>/dev/null || true)"
    [[ -n "${candidate}" ]] && candidates+=("${candidate}")

    for candidate in "${candidates[@]}"; do
        if "${candidate}" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '${version}' else 1)" 2>/dev/null; then
            printf '%s\n' "${candidate}"
            return 0
        fi
    done
    return 1
}

# Print the venv directory used for an ansible-core series and Python version.
matrix_venv_dir() {
    printf '%s/venv-core%s-py%s\n' "${BUILD_DIR}" "$1" "$2"
}

# Append one line to the run summary and print it.
record_summary() {
    mkdir -p "${BUILD_DIR}"
    printf '%s\n' "$*" >>"${SUMMARY_FILE}"
    printf '== %s\n' "$*" >&2
}

# Run a named stage, time it and record PASSED or FAILED in the summary.
# Usage: run_stage NAME COMMAND [ARG...]
run_stage() {
    local name="$1" start status=0
    shift
    log "stage ${name}: starting"
    start="$(date +%s)"
    # A subshell with errexit, not "cmd || status=$?": bash ignores set -e
    # inside a command that is tested with ||, so a failing step would not stop
    # the stage. The subshell also turns die (exit) into the stage's status.
    set +e
    (
        set -e
        "$@"
    )
    status=$?
    set -e
    local elapsed=$(( $(date +%s) - start ))
    if [[ "${status}" -eq 0 ]]; then
        record_summary "$(printf 'PASSED  %-40s %5ds' "${name}" "${elapsed}")"
    else
        record_summary "$(printf 'FAILED  %-40s %5ds (exit code %d)' "${name}" "${elapsed}" "${status}")"
    fi
    return "${status}"
}
