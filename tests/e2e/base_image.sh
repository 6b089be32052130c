#!/usr/bin/env bash
# The ctest fixture every e2e suite needs: the base image in the machine's image cache
# ($LABCTL_IMAGES, default /var/lib/labctl/images), built once before the suites run side by
# side (`labctl image build` refuses a second concurrent build, and is a no-op when current).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
labctl=${LABCTL:-$root/build/labctl}
images=${LABCTL_IMAGES:-/var/lib/labctl/images}
mkdir -p "$images"
LABCTL_HOME=$(cd "$images/.." && pwd) exec "$labctl" image build
