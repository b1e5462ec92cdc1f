#!/usr/bin/env bash
# Make a fresh copy of the collection at
# build/ansible_collections/portsip/pbx (or DEST), for ansible-test, the
# linters and `ansible-galaxy collection build`.
#
# ansible-test needs the collection inside an ansible_collections/NAMESPACE/NAME
# tree and rejects symlinks that leave it, so the copy is a real directory.
# It contains the files git tracks plus untracked files that .gitignore does not
# exclude, so new files are tested before they are committed, and an empty git
# repository (see below).
#
# Usage: hack/copy-collection.sh [DEST]
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "$0")/lib.sh"

dest="${1:-${COPY_DIR}}"
case "${dest}" in
    */ansible_collections/"${COLLECTION_NAMESPACE}"/"${COLLECTION_NAME}") ;;
    *) die "copy destination '${dest}' must end in ansible_collections/${COLLECTION_NAMESPACE}/${COLLECTION_NAME}" ;;
esac

git -C "${REPO_ROOT}" rev-parse --git-dir >/dev/null 2>&1 \
    || die "${REPO_ROOT} is not a git work tree: the copy lists files with git ls-files"

rm -rf "${dest}"
mkdir -p "${dest}"

# ls-files also lists tracked files deleted from the work tree, so keep only
# paths that exist.
(
    cd "${REPO_ROOT}"
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' path; do
            if [[ -e "${path}" || -L "${path}" ]]; then
                printf '%s\0' "${path}"
            fi
        done \
        | tar --null --files-from=- -cf -
) | tar -xf - -C "${dest}"

# ansible-test and ansible-lint list files with git when they find a
# repository. Without one of its own, the copy would be seen through the
# enclosing work tree, whose .gitignore excludes build/, so ansible-test would
# find no files at all. An empty repository makes them list every file in the
# copy except what the copied .gitignore excludes.
git init -q "${dest}"

log "copied $(find "${dest}" -type f | wc -l) files to ${dest}"
