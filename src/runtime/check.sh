# order-containers check: the readiness check shared by wait.sh and run.sh. Its flags:
#   --ready KIND --attempt SECONDS --check-arg ARG...
# KIND names a function check_KIND (runtime/checks/KIND.sh) that makes one attempt with the ARGs,
# as its module under src/readiness/kinds/ writes them. Uses $bb, the busybox path.
kind='' attempt_s=1 ck_n=0

# check_flag FLAG VALUE: keeps a flag of the check, the last case of each script's own flags: any other
# flag was not written by this version (src/protocol/), so the script stops rather than guess.
check_flag() {
  case $1 in
  --ready) kind=$2 ;;
  --attempt) attempt_s=$2 ;;
  --check-arg)
    ck_n=$((ck_n + 1))
    eval "ck_$ck_n=\$2"
    ;;
  *)
    echo "order-containers: unknown flag $1" >&2
    exit 2
    ;;
  esac
}

# connect_host HOST: where a check of HOST connects: HOST, or for the empty HOST of a probe that names
# none, the pod's IP, as kubelet (prober.go runProbe, pkg/probe/http request.go: status.PodIP). kubelet's
# /etc/hosts names it: a line "<IP> [<FQDN>] <hostname>" per pod IP, the primary first (kubelet_pods.go
# managedHostsFileContent), read here rather than through the libc resolver, which a static busybox may
# lack; the hostname is the UTS namespace's, which the runtime sets to the one kubelet gives the sandbox
# (kuberuntime_sandbox.go generatePodSandboxConfig), read from /proc without any applet. A hostNetwork
# pod gets the node's file, which may not name the node: then 127.0.0.1, which a server on 0.0.0.0 of
# the node answers too.
connect_host() {
  [ -n "$1" ] && echo "$1" && return
  read -r me </proc/sys/kernel/hostname
  while read -r addr names; do
    case $addr in '#'* | '') continue ;; esac
    for n in $names; do
      [ "$n" = "$me" ] && echo "$addr" && return
    done
  done </etc/hosts
  echo 127.0.0.1
}

# check: one attempt; status 0 when the container is ready.
check() {
  set --
  i=1
  while [ "$i" -le "$ck_n" ]; do
    eval "set -- \"\$@\" \"\$ck_$i\""
    i=$((i + 1))
  done
  case $kind in
  '' | *[!a-z0-9]*) ;;
  *) command -v "check_$kind" >/dev/null && {
    "check_$kind" "$@"
    return
  } ;;
  esac
  echo "order-containers: unknown check ${kind:-(none)}" >&2
  return 2
}
