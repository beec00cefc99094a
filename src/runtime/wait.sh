# order-containers wait: blocks until a readiness check passes, or fails after a deadline.
# Runs as a postStart hook, under the static busybox the helper init container copied into the pod:
#   BUSYBOX sh -c "$(cat wait.sh)" order-containers-wait BUSYBOX NAME TIMEOUT ATTEMPT KIND ARG...
# KIND http URL [HEADER...] | tcp HOST PORT | exec COMMAND [ARG...]
# Every name, URL, header and command arrives as a positional parameter: nothing is spliced into
# this script, so no manifest content is ever read as shell code.
bb=$1 name=$2 timeout_s=$3 attempt_s=$4 kind=$5
shift 5

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

# date counts whole seconds: waiting until it passes the deadline waits at least timeout_s.
deadline=$(($("$bb" date +%s) + timeout_s))
while :; do
  check "$@" && exit 0
  if [ "$("$bb" date +%s)" -gt "$deadline" ]; then
    echo "order-containers: $name was not ready after ${timeout_s}s; the containers after it were not started" >&2
    exit 1
  fi
  "$bb" sleep 1
done
