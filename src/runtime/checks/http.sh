# check_http HOST PORT PATH [HEADER...]: one HTTP/1.1 GET over busybox nc, judged as kubelet judges it
# (pkg/probe/http): ready on a status from 200 to 399. kubelet's request headers (newProbeRequest): the
# probe's own, then User-Agent and Accept unless it gives them (an empty Accept is not sent), and Host
# from its headers, else HOST:PORT as Go's net.JoinHostPort writes it (HOST: see connect_host). No proxy
# from the environment is used, as kubelet uses none.
check_http() {
  host=$(connect_host "$1") port=$2 path=$3
  shift 3
  {
    printf 'GET %s HTTP/1.1\r\n' "$path"
    given=''
    for header in "$@"; do
      field=$(echo "${header%%:*}" | "$bb" tr 'A-Z' 'a-z')
      given="$given $field "
      [ "$field" = accept ] && [ -z "$(echo "${header#*:}" | "$bb" tr -d ' \t')" ] && continue
      printf '%s\r\n' "$header"
    done
    case $given:$host in *' host '*) ;; *:*:*) printf 'Host: [%s]:%s\r\n' "$host" "$port" ;; *) printf 'Host: %s:%s\r\n' "$host" "$port" ;; esac
    case $given in *' user-agent '*) ;; *) printf 'User-Agent: kube-probe/order-containers\r\n' ;; esac
    case $given in *' accept '*) ;; *) printf 'Accept: */*\r\n' ;; esac
    printf 'Connection: close\r\n\r\n'
  } | "$bb" timeout -s KILL "$attempt_s" "$bb" nc -w "$attempt_s" "$host" "$port" 2>/dev/null | {
    read -r _ status _
    status=${status%"$(printf '\r')"}
    case $status in
    [1-5][0-9][0-9]) [ "$status" -ge 200 ] && [ "$status" -lt 400 ] ;;
    *) false ;;
    esac
  }
}
