# shellcheck shell=bash
# Sourced by tests/tools/package_install_test.sh: a throwaway container of this machine, to
# install the package as an administrator would, without touching the machine itself.
#   container_start INIT...  boots INIT (systemd, or `sleep infinity` for a machine without it)
#                            as PID 1 of new pid, mount, network, uts, ipc and cgroup namespaces,
#                            chrooted into an overlay of this machine's root file system (not its
#                            submounts) whose writes go to a tmpfs
#   container_wait_booted    waits for systemd (as INIT) to finish booting
#   ct CMD...                runs CMD in the container
#   container_stop           powers it off (or kills it) and removes what it left
# The container has its own /dev, /run and /tmp, a read-only /sys and /proc/sys (systemd then
# skips udev and sysctl), no CAP_SYS_MODULE or CAP_SYS_TIME, only a loopback network, and its
# own cgroup (a child of this machine's cgroup2 root, removed at the end). Needs root, overlayfs
# and a cgroup2 hierarchy; it fails, never skips, without them.
CT_DIR="" CT_PID="" CT_UNSHARE="" CT_CGROUP=""

_container_init() {  # runs inside the new namespaces: mounts, then execs INIT chrooted
  set -e
  local dir="$1" m="$1/ov/root" n
  shift
  mount -t tmpfs -o mode=0755 sfu-ct "$dir/ov"
  mkdir "$dir/ov/upper" "$dir/ov/work" "$m"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$dir/ov/upper,workdir=$dir/ov/work" "$m"
  mount -t proc proc "$m/proc"
  mount --bind "$m/proc/sys" "$m/proc/sys"
  mount -o remount,bind,ro "$m/proc/sys"
  mount -t sysfs -o ro sysfs "$m/sys"
  mount -t cgroup2 cgroup2 "$m/sys/fs/cgroup"
  mount -t tmpfs -o mode=0755 dev "$m/dev"
  for n in null zero full random urandom tty; do
    touch "$m/dev/$n"
    mount --bind "/dev/$n" "$m/dev/$n"
  done
  mkdir "$m/dev/pts" "$m/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$m/dev/pts"
  ln -s pts/ptmx "$m/dev/ptmx"
  mount -t tmpfs tmpfs "$m/dev/shm"
  mount -t tmpfs tmpfs "$m/run"
  mount -t tmpfs tmpfs "$m/tmp"
  # A Docker-style policy-rc.d (this machine has one) forbids every service start; an ordinary
  # machine has none. PackageKit, which apt's hook wakes, is of no use here.
  rm -f "$m/usr/sbin/policy-rc.d"
  ln -sf /dev/null "$m/etc/systemd/system/packagekit.service"
  # Shared, as on a booted machine (systemd does it itself only outside containers): systemd
  # moves each service's credentials mount into place through propagation.
  mount --make-rshared "$m"
  touch "$m/.sfu-container"
  export container=sfu-test
  exec setpriv --bounding-set -sys_module,-sys_time,-sys_boot,-sys_rawio,-syslog,-wake_alarm \
    chroot "$m" "$@"
}

container_start() {
  local cg_root
  cg_root="$(findmnt -n -t cgroup2 -o TARGET | head -1)"
  if [ -z "$cg_root" ]; then
    echo "FAIL: no cgroup2 hierarchy is mounted (findmnt -t cgroup2)" >&2
    return 1
  fi
  CT_DIR="$(mktemp -d /tmp/sfu-ct-XXXXXX)"
  mkdir "$CT_DIR/ov"
  CT_CGROUP="$cg_root/${CT_DIR##*/}"
  mkdir "$CT_CGROUP"
  (
    echo "$BASHPID" >"$CT_CGROUP/cgroup.procs"
    exec unshare --pid --fork --mount --uts --ipc --net --cgroup --propagation private \
      bash -c "$(declare -f _container_init); _container_init \"\$@\"" _ "$CT_DIR" "$@"
  ) >"$CT_DIR/console.log" 2>&1 &
  CT_UNSHARE=$!
  for _ in $(seq 100); do
    CT_PID="$(pgrep -P "$CT_UNSHARE" || true)"
    [ -n "$CT_PID" ] && ct test -e /.sfu-container 2>/dev/null && return 0
    kill -0 "$CT_UNSHARE" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: the container did not start:" >&2
  cat "$CT_DIR/console.log" >&2
  return 1
}

ct() { nsenter --target "$CT_PID" --all --root --wd "$@"; }

# Waits until systemd in the container has booted (running, or degraded: some unit failed).
container_wait_booted() {
  local state=""
  for _ in $(seq 100); do
    state="$(ct systemctl is-system-running 2>/dev/null || true)"
    case "$state" in running | degraded) return 0 ;; esac
    sleep 0.1
  done
  echo "FAIL: systemd in the container did not boot (state: ${state:-none})" >&2
  return 1
}

container_stop() {
  if [ -n "$CT_PID" ] && kill -0 "$CT_PID" 2>/dev/null; then
    if ct test -d /run/systemd/system; then
      ct systemctl poweroff >/dev/null 2>&1 || true
      for _ in $(seq 100); do kill -0 "$CT_UNSHARE" 2>/dev/null || break; sleep 0.1; done
    fi
    kill -KILL "$CT_PID" 2>/dev/null || true  # PID 1 of its namespace: takes everything with it
  fi
  [ -n "$CT_UNSHARE" ] && wait "$CT_UNSHARE" 2>/dev/null || true
  if [ -n "$CT_CGROUP" ] && [ -d "$CT_CGROUP" ]; then
    find "$CT_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null || true
  fi
  [ -n "$CT_DIR" ] && rm -rf "$CT_DIR"
  CT_DIR="" CT_PID="" CT_UNSHARE="" CT_CGROUP=""
}
