# order-containers wait: blocks until a readiness check passes, or fails after a deadline.
# Runs as a postStart hook, under the static busybox the helper init container copied into the pod (its
# #! line names it):
#   /order-containers/bin/wait.sh \   (runtime/scripts.ts: check.sh, checks/*.sh, run-folder.sh, then this)
#     [--mark-ready] --name NAME --timeout SECONDS --ready KIND [--attempt SECONDS] --check-arg ARG...
# With --mark-ready (holdDependents), it leaves NAME.ready in the run folder once the check passes: kubelet
# starts the containers after this one even when the hook fails (SyncPod's Step 8 goes on after a failed
# start, pkg/kubelet/kuberuntime/kuberuntime_manager.go), so they wait for that mark themselves, in
# their entrypoint wrappers (run.sh's --after NAME:ready).
# Every name, URL, header and command arrives as a flag's value: nothing is spliced into this script,
# so no manifest content is ever read as shell code. src/protocol/wait-hook.ts writes these flags.
run='' name='' timeout_s=''
while [ $# -gt 0 ]; do
  if [ "$1" = --mark-ready ]; then
    run=$folder
    shift
    continue
  fi
  if [ $# -lt 2 ]; then
    echo "order-containers: $1 has no value" >&2
    exit 2
  fi
  case $1 in
  --name) name=$2 ;;
  --timeout) timeout_s=$2 ;;
  *) check_flag "$1" "$2" ;;
  esac
  shift 2
done

# A mark left by an earlier run of this container (kubelet restarted it) says nothing of this one.
[ -n "$run" ] && "$bb" rm -f "$run/$name.ready"

# date counts whole seconds: waiting until it passes the deadline waits at least timeout_s.
deadline=$(($("$bb" date +%s) + timeout_s))
while :; do
  if check; then
    [ -z "$run" ] && exit 0
    mark ready && exit 0
    # The containers after it would wait for a mark that never comes: fail the gate, loudly.
    echo "order-containers: $name is ready, but its ready mark could not be written in $run" >&2
    exit 1
  fi
  if [ "$("$bb" date +%s)" -gt "$deadline" ]; then
    # kubelet then kills the container (FailedPostStartHook) and goes on starting the ones after it
    # (SyncPod does not stop at a failed start of a main container): say so, claim nothing more.
    echo "order-containers: $name was not ready after ${timeout_s}s; kubelet kills it and starts the containers after it anyway" >&2
    exit 1
  fi
  "$bb" sleep 1
done
