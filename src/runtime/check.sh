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
