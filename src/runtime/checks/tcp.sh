# check_tcp HOST PORT: a TCP connection is accepted (HOST: see connect_host).
check_tcp() {
  # busybox nc stays connected until the peer closes: a connection is a success even when the
  # attempt's timeout has to end it; only nc's own failure (exit 1) means not ready.
  "$bb" timeout -s KILL "$attempt_s" "$bb" nc -w "$attempt_s" "$(connect_host "$1")" "$2" </dev/null >/dev/null 2>&1
  [ $? -ne 1 ]
}
