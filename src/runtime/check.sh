# order-containers check: one attempt at a container's readiness check, shared by wait.sh and run.sh.
# Uses $bb (the busybox path), $kind and $attempt_s; the check's arguments are its own parameters:
# KIND http URL [HEADER...] | tcp HOST PORT | exec COMMAND [ARG...]
check() {
  case $kind in
  http)
    url=$1
    shift
    n=$#
    while [ "$n" -gt 0 ]; do
      set -- "$@" --header "$1"
      shift
      n=$((n - 1))
    done
    "$bb" timeout "$attempt_s" "$bb" wget -q -O /dev/null -T "$attempt_s" "$@" "$url" >/dev/null 2>&1
    ;;
  tcp)
    # busybox nc stays connected until the peer closes: a connection is a success even when the
    # attempt's timeout has to end it; only nc's own failure (exit 1) means not ready.
    "$bb" timeout "$attempt_s" "$bb" nc -w "$attempt_s" "$1" "$2" </dev/null >/dev/null 2>&1
    [ $? -ne 1 ]
    ;;
  exec)
    "$bb" timeout "$attempt_s" "$@" >/dev/null 2>&1
    ;;
  *)
    echo "order-containers: unknown check $kind" >&2
    return 2
    ;;
  esac
}
