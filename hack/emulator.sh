#!/usr/bin/env bash
# Start or stop the PBX emulator (tests/emulator/pbx_emulator.py) as a
# background process on 127.0.0.1.
#
# Usage:
#   hack/emulator.sh start STATE_DIR [COLLECTION_DIR]
#   hack/emulator.sh stop STATE_DIR
#   hack/emulator.sh get STATE_DIR KEY      print one key of STATE_DIR/emulator.json
#
# start runs the emulator from COLLECTION_DIR (default: the repository) with
# $PYTHON (default: python3), waits until it has written STATE_DIR/emulator.json
# and its process is alive, and prints the path of that file.
# stop sends SIGTERM to the pid in emulator.json and waits for the process to exit.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/lib.sh"

PYTHON="${PYTHON:-python3}"
START_TIMEOUT_SECONDS="${EMULATOR_START_TIMEOUT:-30}"
STOP_TIMEOUT_SECONDS=10

json_get() {
    "${PYTHON}" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

start_emulator() {
    local state_dir="$1" collection_dir="${2:-${REPO_ROOT}}"
    local script="${collection_dir}/tests/emulator/pbx_emulator.py"
    local info="${state_dir}/emulator.json"

    [[ -f "${script}" ]] || die "emulator not found: ${script}"
    rm -rf "${state_dir}"
    mkdir -p "${state_dir}"

    log "starting emulator: ${PYTHON} ${script} --state-dir ${state_dir} --daemon"
    "${PYTHON}" "${script}" --state-dir "${state_dir}" --daemon \
        >"${state_dir}/emulator.log" 2>&1 </dev/null \
        || die "emulator exited with code $? while starting; log: ${state_dir}/emulator.log"

    local waited=0
    until [[ -s "${info}" ]] && json_get "${info}" pid >/dev/null 2>&1; do
        if (( waited >= START_TIMEOUT_SECONDS * 10 )); then
            tail -n 20 "${state_dir}/emulator.log" >&2 || true
            die "emulator did not write ${info} within ${START_TIMEOUT_SECONDS}s; log: ${state_dir}/emulator.log"
        fi
        sleep 0.1
        waited=$(( waited + 1 ))
    done

    local pid
    pid="$(json_get "${info}" pid)"
    kill -0 "${pid}" 2>/dev/null || die "emulator process ${pid} from ${info} is not running; log: ${state_dir}/emulator.log"
    log "emulator running: pid ${pid}, url $(json_get "${info}" url)"
    printf '%s\n' "${info}"
}

stop_emulator() {
    local state_dir="$1"
    local info="${state_dir}/emulator.json"
    local pid

    if [[ ! -s "${info}" ]]; then
        log "no emulator to stop: ${info} does not exist"
        return 0
    fi
    pid="$(json_get "${info}" pid)"
    if ! kill -0 "${pid}" 2>/dev/null; then
        log "emulator process ${pid} has already exited"
        return 0
    fi

    log "stopping emulator process ${pid}"
    kill -TERM "${pid}"
    local waited=0
    while kill -0 "${pid}" 2>/dev/null; do
        if (( waited >= STOP_TIMEOUT_SECONDS * 10 )); then
            log "emulator process ${pid} still running ${STOP_TIMEOUT_SECONDS}s after SIGTERM; sending SIGKILL"
            kill -KILL "${pid}" 2>/dev/null || true
            break
        fi
        sleep 0.1
        waited=$(( waited + 1 ))
    done
}

[[ $# -ge 2 ]] || die "usage: hack/emulator.sh start|stop|get STATE_DIR [...]"
action="$1"
shift
case "${action}" in
    start) start_emulator "$@" ;;
    stop) stop_emulator "$@" ;;
    get) [[ $# -eq 2 ]] || die "usage: hack/emulator.sh get STATE_DIR KEY"; json_get "$1/emulator.json" "$2" ;;
    *) die "unknown action '${action}': expected start, stop or get" ;;
esac
