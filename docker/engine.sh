# Sourced by the scripts in docker/: picks the container engine and, for podman, the settings our CI
# hosts need (runc, rlimits at or below the host's; overlay storage where the kernel mounts it, else
# vfs: docker/podman/*.conf) unless the caller set CONTAINERS_CONF / CONTAINERS_STORAGE_CONF.
# ENGINE=docker|podman chooses explicitly. The overlay probe needs root (as podman here does).
_docker_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${ENGINE:-}" ]; then
  if command -v podman >/dev/null; then ENGINE=podman
  elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then ENGINE=docker
  else ENGINE=""
  fi
fi
if [ "$ENGINE" = podman ]; then
  export CONTAINERS_CONF="${CONTAINERS_CONF:-$_docker_dir/podman/containers.conf}"
  if [ -z "${CONTAINERS_STORAGE_CONF:-}" ]; then
    # overlay where the kernel mounts it for us (a container then copies nothing), vfs elsewhere
    _probe="$(mktemp -d)"
    mkdir "$_probe/l" "$_probe/u" "$_probe/w" "$_probe/m"
    if mount -t overlay overlay -o "lowerdir=$_probe/l,upperdir=$_probe/u,workdir=$_probe/w" "$_probe/m" 2>/dev/null; then
      umount "$_probe/m"
      CONTAINERS_STORAGE_CONF="$_docker_dir/podman/storage-overlay.conf"
    else
      CONTAINERS_STORAGE_CONF="$_docker_dir/podman/storage.conf"
    fi
    rm -rf "$_probe"
    unset _probe
  fi
  export CONTAINERS_STORAGE_CONF
fi
export ENGINE
