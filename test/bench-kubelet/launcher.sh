# The bench's container runtime, run by the host's sh in a new mount namespace whose next child is PID 1
# of a new PID namespace:
#   unshare --mount --pid --propagation private sh launcher.sh PLAN PROC CMD...
# It builds the container's root from PLAN, starts CMD (env -i ... unshare --root ... -- PROGRAM) as that
# first child, so that PROGRAM is the namespace's PID 1 as in a container, tells the kubelet on fd 3
# PROGRAM's host PID ("pid N") and that the root is built ("root"), and exits with PROGRAM's status as
# a runtime reports it (128+N after signal N).
# PLAN has one step a line, fields separated by tabs; every path and value is data here.
set -eu
plan=$1 proc=$2
shift 2
# The first child is PID 1 of the new PID namespace, and the namespace dies with it: so that child builds
# the root (its own children do the mounts), mounts /proc (which then shows the container's PID
# namespace) and becomes PROGRAM.
(
  while IFS='	' read -r op a b c; do
    case $op in
    tmpfs) mount -t tmpfs -o "$b" bench "$a" ;;
    overlay)
      mkdir -p "$b/upper" "$b/work" "$c"
      mount -t overlay bench -o "lowerdir=$a,upperdir=$b/upper,workdir=$b/work" "$c"
      ;;
    bind)
      if [ -d "$a" ]; then mkdir -p "$b"; else mkdir -p "${b%/*}" && { [ -e "$b" ] || : >"$b"; }; fi
      mount --bind "$a" "$b"
      if [ "$c" = ro ]; then mount -o remount,bind,ro "$b"; fi
      ;;
    readonly) mount -o remount,ro "$a" ;;
    *)
      echo "bench launcher: unknown step $op" >&2
      exit 125
      ;;
    esac
  done <"$plan"
  mkdir -p "$proc"
  mount -t proc proc "$proc"
  # The root is whole: the kubelet may exec into the container (a postStart hook) from now on.
  echo root >&3
  exec 3>&-
  exec "$@"
) &
echo "pid $!" >&3
exec 3>&-
set +e
wait "$!"
exit $?
