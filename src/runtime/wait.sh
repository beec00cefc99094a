# order-containers wait: blocks until a readiness check passes, or fails after a deadline.
# Runs as a postStart hook, under the static busybox the helper init container copied into the pod:
#   BUSYBOX sh -c "$(cat check.sh wait.sh)" order-containers-wait BUSYBOX NAME TIMEOUT ATTEMPT KIND ARG...
# KIND and ARG... as in check.sh.
# Every name, URL, header and command arrives as a positional parameter: nothing is spliced into
# this script, so no manifest content is ever read as shell code.
bb=$1 name=$2 timeout_s=$3 attempt_s=$4 kind=$5
shift 5

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
