#!/usr/bin/env bash
# Run one ansible-test stage (sanity, units or integration) for every entry of
# MATRIX, stopping at the first failure.
#
# Usage: hack/matrix.sh STAGE
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/lib.sh"

[[ $# -eq 1 ]] || die "usage: hack/matrix.sh sanity|units|integration"
for entry in ${MATRIX}; do
    "${REPO_ROOT}/hack/ansible-test.sh" "${entry%%:*}" "${entry#*:}" "$1"
done
