# check_exec COMMAND [ARG...]: the command exits with 0 within the attempt.
check_exec() {
  "$bb" timeout -s KILL "$attempt_s" "$@" >/dev/null 2>&1
}
