#!/usr/bin/env bash
# Run the portsip.pbx benchmark and write docs/benchmarks.md and
# docs/benchmarks.png:
#   1. create or update the venv build/venv-bench (hack/venv.sh) and add matplotlib,
#   2. build the collection tarball and install it into a temporary collections path,
#   3. write a seed of 100 DECT phones (bench/make_seed.py) and start the emulator with it,
#   4. run bench/bench.py (playbooks, request counts, reconcile timing),
#   5. print a table and write the page and chart with bench/report.py.
# The emulator is stopped and the temporary directory removed on exit. Playbook
# output and the JSON results stay in build/bench.
#
# Usage: bench/run.sh
# Environment:
#   BENCH_REPEATS   number of timed runs per playbook, 1 to 20 (default 3). The page shows the median.
#   BENCH_CORE      ansible-core series (default: DEV_CORE from hack/lib.sh)
#   BENCH_PYTHON    Python version (default: DEV_PYTHON from hack/lib.sh)
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/../hack/lib.sh"

repeats="${BENCH_REPEATS:-3}"
core="${BENCH_CORE:-${DEV_CORE}}"
python_version="${BENCH_PYTHON:-${DEV_PYTHON}}"
bench_build_dir="${BUILD_DIR}/bench"
venv_dir="${BUILD_DIR}/venv-bench"
phones=100

if ! [[ "${repeats}" =~ ^[1-9][0-9]*$ ]] || (( repeats > 20 )); then
    die "BENCH_REPEATS='${repeats}' is invalid: give a number of timed runs from 1 to 20"
fi

"${REPO_ROOT}/hack/venv.sh" "${core}" "${python_version}" "${venv_dir}" >/dev/null
python="${venv_dir}/bin/python"
if ! "${python}" -c 'import matplotlib' 2>/dev/null; then
    log "installing matplotlib into ${venv_dir}"
    "${python}" -m pip install -qq matplotlib
fi
export PATH="${venv_dir}/bin:${PATH}"

work_dir="$(mktemp -d -t portsip-pbx-bench.XXXXXX)"
emulator_dir="${work_dir}/emulator"
source_dir="${work_dir}/src/ansible_collections/${COLLECTION_NAMESPACE}/${COLLECTION_NAME}"
cleanup() {
    if [[ -s "${emulator_dir}/emulator.json" ]]; then
        "${python}" "${source_dir}/tests/emulator/pbx_emulator.py" stop --state-dir "${emulator_dir}" >&2 || true
    fi
    rm -rf "${work_dir}"
}
trap cleanup EXIT

# Build from a fresh copy, so the tarball has the files that git tracks or
# would track, as in `make demo` and `make lint`.
"${REPO_ROOT}/hack/copy-collection.sh" "${source_dir}"
ansible-galaxy collection build "${source_dir}" --output-path "${work_dir}/dist" >&2
ansible-galaxy collection install --offline --force -p "${work_dir}/collections" \
    "${work_dir}/dist/${COLLECTION_NAMESPACE}-${COLLECTION_NAME}"-*.tar.gz >&2

"${python}" "${REPO_ROOT}/bench/make_seed.py" --phones "${phones}" --output "${work_dir}/seed.json"
log "starting the emulator with ${phones} DECT phones"
"${python}" "${source_dir}/tests/emulator/pbx_emulator.py" --state-dir "${emulator_dir}" \
    --seed "${work_dir}/seed.json" --daemon >&2

rm -rf "${bench_build_dir}"
mkdir -p "${bench_build_dir}"
log "running the benchmark with ${repeats} timed runs per playbook; output in ${bench_build_dir}"
"${python}" "${REPO_ROOT}/bench/bench.py" \
    --emulator-info "${emulator_dir}/emulator.json" \
    --seed "${work_dir}/seed.json" \
    --collections-path "${work_dir}/collections" \
    --work-dir "${bench_build_dir}" \
    --output "${bench_build_dir}/results.json" \
    --repeats "${repeats}" \
    --command "$( [[ "${repeats}" -eq 3 ]] && echo 'make bench' || echo "BENCH_REPEATS=${repeats} make bench" )"

"${python}" "${REPO_ROOT}/bench/report.py" "${bench_build_dir}/results.json" \
    --markdown "${REPO_ROOT}/docs/benchmarks.md" --chart "${REPO_ROOT}/docs/benchmarks.png"
