#!/usr/bin/env bash
# Builds the image docker/Dockerfile starts from when no image registry is reachable: Debian bookworm
# (mmdebstrap, minbase variant, from Debian packages) with Node 24 and npm from the npm registry (the
# `node` package, as the repository's own devDependency, at the lockfile's version) and an unprivileged
# `node` user (uid 1000; minbase has no useradd), i.e. what the public node:24-bookworm-slim image gives the Dockerfile.
#
#   docker/build-base.sh                # prints the tag; pass it as --build-arg BASE_IMAGE=<tag>
#
# Behind a TLS-inspecting proxy (as on our CI hosts) npm in the image must trust what the host
# trusts: the certificates in EXTRA_CA_DIR (default /usr/local/share/ca-certificates, the host's
# local additions; EXTRA_CA_DIR= for none) go into the image's store, which Node then reads
# (NODE_EXTRA_CA_CERTS). Only this local base has them; the public default base has none.
# Environment: ENGINE (podman, or docker), SUITE (bookworm), MIRROR (Debian mirror, mmdebstrap's
# default if empty), NODE_VERSION (the lockfile's `node`), NPM_VERSION (11), REBUILD=1 (even if the
# tag exists). Needs root (or mmdebstrap's unshare mode) and: mmdebstrap, npm, the engine.
# The tag carries a hash of the inputs (this script, the versions, the extra certificates), so an
# existing base is reused as long as none of them changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/docker/engine.sh"

suite="${SUITE:-bookworm}"
node_version="${NODE_VERSION:-$(sed -n '/"node_modules\/node": {/,/}/s/.*"version": "\([^"]*\)".*/\1/p' "$root/package-lock.json")}"
npm_version="${NPM_VERSION:-11}"
ca_dir="${EXTRA_CA_DIR-/usr/local/share/ca-certificates}"
ca_files=()
if [ -n "$ca_dir" ] && compgen -G "$ca_dir/*.crt" >/dev/null; then ca_files=("$ca_dir"/*.crt); fi
key="$( { cat "$0"; echo "$suite $node_version $npm_version"; cat "${ca_files[@]}" </dev/null; } | sha256sum | cut -c1-12)"
tag="localhost/turnstile-base:$suite-node$node_version-$key"

if [ "${REBUILD:-0}" != 1 ] && $ENGINE image exists "$tag" 2>/dev/null; then
  echo "$tag"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Node and npm exactly as `npm ci` brings them to the repository (no other download)
npm install --prefix "$work/npm" --no-save --no-audit --no-fund --loglevel=error \
  "node@$node_version" "npm@$npm_version" >&2
node_bin="$work/npm/node_modules/node/bin/node"
# The debug symbols are a sixth of the binary
if command -v strip >/dev/null; then strip "$node_bin"; fi

ca_hooks=()
ca_env=()
if [ "${#ca_files[@]}" -gt 0 ]; then
  mkdir "$work/ca" && cp "${ca_files[@]}" "$work/ca/"
  ca_hooks=(--customize-hook="sync-in $work/ca /usr/local/share/ca-certificates"
    --customize-hook='chroot "$1" update-ca-certificates')
  ca_env=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
fi

start=$(date +%s)
# minbase: Essential packages and apt; ca-certificates for npm's TLS. No documentation, manuals or
# translations; no apt lists or caches left in the image.
mmdebstrap --variant=minbase --include=ca-certificates \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook="copy-in $node_bin /usr/local/bin" \
  --customize-hook='mkdir -p "$1/usr/local/lib/node_modules/npm"' \
  --customize-hook="sync-in $work/npm/node_modules/npm /usr/local/lib/node_modules/npm" \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"' \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
  --customize-hook='echo "node:x:1000:" >>"$1/etc/group"' \
  --customize-hook='echo "node:x:1000:1000::/home/node:/bin/sh" >>"$1/etc/passwd"' \
  --customize-hook='echo "node:*:20000:0:99999:7:::" >>"$1/etc/shadow"' \
  --customize-hook='install -d -o 1000 -g 1000 "$1/home/node"' \
  "${ca_hooks[@]}" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*' \
  "$suite" "$work/base.tar" ${MIRROR:+"$MIRROR"} >&2

$ENGINE import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' "${ca_env[@]}" \
  "$work/base.tar" "$tag" >&2
echo "base image $tag built in $(($(date +%s) - start)) s" >&2
echo "$tag"
