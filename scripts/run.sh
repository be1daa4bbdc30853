#!/usr/bin/env bash
# Sets everything up (packages, configure, build) and runs the main job: the ntio command booting
# the embedded default system. Extra arguments go to ntio.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ntio_install_packages
ntio_build default ntio_tool >/dev/null
exec "$(dirname "${BASH_SOURCE[0]}")/../build/default/tools/ntio/ntio" "$@"
