#!/usr/bin/env bash
# Builds (or reuses) the Turnstile image for the compose devnet where no image registry is reachable,
# and prints its tag: localhost/turnstile:<key>, <key> a hash of everything the image holds (the
# sources and manifests docker/Dockerfile would copy, the lockfile, docker/Dockerfile.prebuilt and the
# base image's tag, itself keyed by its inputs: docker/build-base.sh; and this script). Unchanged inputs: nothing is built.
#
#   export TURNSTILE_IMAGE=$(docker/build-image.sh)
#   podman-compose -f docker/compose.yml ...      # compose runs ${TURNSTILE_IMAGE:-turnstile:local}
#
# The production dependencies are installed on the host (`npm ci --omit=dev`, from npm's cache when
# the repository's own `npm ci` filled it) into a staging context, which docker/Dockerfile.prebuilt
# copies in one layer: no npm run inside the image, no registry access from the build.
# Environment: BASE_IMAGE (default: docker/build-base.sh's tag, building it if missing), ENGINE.
# Older images built by this script (label turnstile.source-key) are removed once a new one is built.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/docker/engine.sh"
cd "$root"

base="${BASE_IMAGE:-$("$root/docker/build-base.sh")}"

# What docker/Dockerfile copies: the manifests and the packages without tests, benchmarks and build
# output (docker/Dockerfile.dockerignore)
sources() {
  printf '%s\0' package.json package-lock.json
  find packages \( -name node_modules -o -name lib -o -name '*.tsbuildinfo' -o -path 'packages/*/test' \
    -o -path 'packages/*/bench' \) -prune -o -type f -print0 | LC_ALL=C sort -z
}
key="$( { sources | xargs -0 sha256sum; sha256sum docker/Dockerfile.prebuilt docker/build-image.sh; echo "$base"; } | sha256sum | cut -c1-16)"
tag="localhost/turnstile:$key"
if $ENGINE image exists "$tag" 2>/dev/null; then
  echo "$tag"
  exit 0
fi

start=$(date +%s)
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/app" "$stage/data"
sources | tar -c --null -T - -f - | tar -x -C "$stage/app" -f -
(cd "$stage/app" && npm ci --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error >&2)
# Source maps and type declarations serve no one at run time: a seventh of the image, which vfs
# copies for every container
find "$stage/app/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete
# podman: one commit for the whole Dockerfile instead of an image per step (vfs copies each)
layers=()
if [ "$ENGINE" = podman ]; then layers=(--layers=false); fi
$ENGINE build "${layers[@]}" -f docker/Dockerfile.prebuilt --build-arg BASE_IMAGE="$base" \
  --label turnstile.source-key="$key" -t "$tag" "$stage" >&2
for old in $($ENGINE images --filter label=turnstile.source-key --format '{{.Repository}}:{{.Tag}}'); do
  if [ "$old" != "$tag" ]; then $ENGINE rmi "$old" >/dev/null 2>&1 || true; fi
done
echo "image $tag built in $(($(date +%s) - start)) s" >&2
echo "$tag"
