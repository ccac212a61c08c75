# Sourced by the scripts in docker/: picks the container engine and, for podman, the settings our CI
# hosts need (vfs storage, runc, rlimits at or below the host's: docker/podman/*.conf) unless the
# caller set CONTAINERS_CONF / CONTAINERS_STORAGE_CONF. ENGINE=docker|podman chooses explicitly.
_docker_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${ENGINE:-}" ]; then
  if command -v podman >/dev/null; then ENGINE=podman
  elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then ENGINE=docker
  else ENGINE=""
  fi
fi
if [ "$ENGINE" = podman ]; then
  export CONTAINERS_CONF="${CONTAINERS_CONF:-$_docker_dir/podman/containers.conf}"
  export CONTAINERS_STORAGE_CONF="${CONTAINERS_STORAGE_CONF:-$_docker_dir/podman/storage.conf}"
fi
export ENGINE
