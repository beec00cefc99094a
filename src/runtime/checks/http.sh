# check_http URL [HEADER...]: an HTTP GET that answers 2xx or 3xx (busybox wget follows redirects).
check_http() {
  url=$1
  shift
  n=$#
  while [ "$n" -gt 0 ]; do
    set -- "$@" --header "$1"
    shift
    n=$((n - 1))
  done
  "$bb" timeout "$attempt_s" "$bb" wget -q -O /dev/null -T "$attempt_s" "$@" "$url" >/dev/null 2>&1
}
