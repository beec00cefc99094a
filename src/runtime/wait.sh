# order-containers wait: blocks until a readiness check passes, or fails after a deadline.
# Runs as a postStart hook, under the static busybox the helper init container copied into the pod:
#   BUSYBOX sh -c "$(cat check.sh checks/*.sh wait.sh)" order-containers-wait \
#     --busybox BUSYBOX --name NAME --timeout SECONDS --ready KIND --attempt SECONDS --check-arg ARG...
# Every name, URL, header and command arrives as a flag's value: nothing is spliced into this script,
# so no manifest content is ever read as shell code. src/protocol/wait-hook.ts writes these flags.
bb='' name='' timeout_s=''
while [ $# -gt 0 ]; do
  if [ $# -lt 2 ]; then
    echo "order-containers: $1 has no value" >&2
    exit 2
  fi
  case $1 in
  --busybox) bb=$2 ;;
  --name) name=$2 ;;
  --timeout) timeout_s=$2 ;;
  *) check_flag "$1" "$2" ;;
  esac
  shift 2
done

# date counts whole seconds: waiting until it passes the deadline waits at least timeout_s.
deadline=$(($("$bb" date +%s) + timeout_s))
while :; do
  check && exit 0
  if [ "$("$bb" date +%s)" -gt "$deadline" ]; then
    # kubelet then kills the container (FailedPostStartHook) and goes on starting the ones after it
    # (SyncPod does not stop at a failed start of a main container): say so, claim nothing more.
    echo "order-containers: $name was not ready after ${timeout_s}s; kubelet kills it and starts the containers after it anyway" >&2
    exit 1
  fi
  "$bb" sleep 1
done
