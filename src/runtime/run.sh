# order-containers run: the entrypoint wrapper. It waits for the containers this one starts after,
# runs the container's own program, and leaves files in the shared run folder for the others:
#   NAME.started  the program is being started
#   NAME.ready    the container's readiness check passed once
#   NAME.exit     the program's exit code (written atomically)
#   NAME.stopped  a Job's sidecar was stopped because the main containers were done
# It is the container's command, run by the static busybox the helper init container copied:
#   BUSYBOX sh -c "$(cat check.sh run.sh)" order-containers-run BUSYBOX RUN NAME TIMEOUT DIRECTIVE... -- PROGRAM [ARG...]
# DIRECTIVE is one of
#   after DEPENDENCY started|ready|exit  start only once DEPENDENCY got there (exit: with code 0)
#   ready ATTEMPT KIND COUNT ARG...      write NAME.ready once the check (check.sh) passes
#   exit                                 write NAME.exit
#   sidecar GRACE COUNT MAIN...          on SIGTERM, let MAIN... exit first, for at most GRACE seconds
#   job Never|OnFailure                  stop the program once MAIN... have exited (OnFailure: with 0)
#   quit URL                             to stop it, POST to URL first, and signal it only if it outlives GRACE
# Every name and argument is a positional parameter: nothing from the manifest is spliced into this
# script, and PROGRAM receives its arguments exactly as kubelet passed them.
bb=$1 run=$2 name=$3 timeout_s=$4
shift 4

say() {
  echo "order-containers: $name: $*" >&2
}

record() {
  echo "$1" >"$run/.$name.exit" && "$bb" mv -f "$run/.$name.exit" "$run/$name.exit"
}

give_up() {
  say "$*"
  record 1
  exit 1
}

# Files left by an earlier run of this container (kubelet restarted it) describe that run, not this one.
"$bb" rm -f "$run/$name.started" "$run/$name.ready" "$run/$name.exit" "$run/$name.stopped"

# date counts whole seconds: waiting until it passes the deadline waits at least timeout_s.
deadline=$(($("$bb" date +%s) + timeout_s))

await() {
  what=$2
  [ "$2" = exit ] && what=completed
  while :; do
    if [ "$2" != exit ] && [ -f "$run/$1.$2" ]; then return 0; fi
    if [ -f "$run/$1.exit" ]; then
      code=$("$bb" cat "$run/$1.exit")
      [ "$code" != 0 ] && give_up "$1 exited with code $code; not starting"
      [ "$2" = exit ] && return 0
      give_up "$1 exited before it was $what; not starting"
    fi
    [ "$("$bb" date +%s)" -gt "$deadline" ] && give_up "$1 was not $what after ${timeout_s}s; not starting"
    "$bb" sleep 1
  done
}

# mains_done any|zero: every main container has exited (zero: each with code 0).
mains_done() {
  i=1
  while [ "$i" -le "$side_n" ]; do
    eval "m=\$main_$i"
    [ -f "$run/$m.exit" ] || return 1
    if [ "$1" = zero ] && [ "$("$bb" cat "$run/$m.exit")" != 0 ]; then return 1; fi
    i=$((i + 1))
  done
}

# keep PREFIX COUNT ARG...: the first COUNT arguments into PREFIX_1 ... PREFIX_COUNT (PREFIX is ours).
keep() {
  prefix=$1 count=$2 i=1
  shift 2
  while [ "$i" -le "$count" ]; do
    eval "${prefix}_$i=\$1"
    shift
    i=$((i + 1))
  done
}

exitfile='' ck_n='' side_n='' job='' quit=''
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  case $1 in
  after)
    await "$2" "$3"
    shift 3
    ;;
  ready)
    attempt_s=$2 kind=$3 ck_n=$4
    shift 4
    keep ck "$ck_n" "$@"
    shift "$ck_n"
    ;;
  exit)
    exitfile=1
    shift
    ;;
  sidecar)
    grace=$2 side_n=$3
    shift 3
    keep main "$side_n" "$@"
    shift "$side_n"
    ;;
  job)
    job=$2
    shift 2
    ;;
  quit)
    quit=$2
    shift 2
    ;;
  *)
    give_up "unknown directive $1"
    ;;
  esac
done
shift

: >"$run/$name.started"
[ -z "$exitfile$ck_n$side_n" ] && exec "$@"
child=''

# Traps are set before the program starts, so a signal that comes early is not lost: it is passed on
# once there is a program to take it.
pending='' interrupted=''
forward() {
  interrupted=1
  if [ -z "$child" ]; then
    pending=$1
    return
  fi
  if [ "$1" = TERM ] && [ -n "$side_n" ]; then
    # A sidecar outlives the main containers: kubelet stops them all at once, so wait for them here.
    end=$(($("$bb" date +%s) + grace))
    until mains_done any || [ "$("$bb" date +%s)" -ge "$end" ]; do "$bb" sleep 1; done
  fi
  kill "-$1" "$child" 2>/dev/null
}
for signal in HUP INT QUIT TERM USR1 USR2; do
  trap "forward $signal" "$signal"
done

# The program runs as a child so that its exit can be recorded. A POSIX shell points a background
# command's stdin at /dev/null; fd 3 carries the real one past that.
exec 3<&0
"$@" <&3 3<&- &
child=$!
exec 3<&-
[ -n "$pending" ] && forward "$pending"

poller='' stopper=''
if [ -n "$ck_n" ]; then
  (
    set --
    i=1
    while [ "$i" -le "$ck_n" ]; do
      eval "set -- \"\$@\" \"\$ck_$i\""
      i=$((i + 1))
    done
    until check "$@"; do "$bb" sleep 1; done
    : >"$run/$name.ready"
  ) </dev/null >/dev/null 2>&1 &
  poller=$!
fi
if [ -n "$job" ]; then
  (
    policy=any
    [ "$job" = OnFailure ] && policy=zero
    until mains_done "$policy"; do "$bb" sleep 1; done
    : >"$run/$name.stopped"
    if [ -n "$quit" ]; then
      "$bb" wget -q -O /dev/null -T 5 --post-data '' "$quit"
      end=$(($("$bb" date +%s) + grace))
      while kill -0 "$child" 2>/dev/null && [ "$("$bb" date +%s)" -lt "$end" ]; do "$bb" sleep 1; done
    fi
    kill -TERM "$child" 2>/dev/null
    "$bb" sleep "$grace"
    kill -KILL "$child" 2>/dev/null
  ) </dev/null >/dev/null 2>&1 &
  stopper=$!
fi

# wait returns early when a trapped signal arrives, and then it says nothing of the program: wait again.
# (The shell keeps the status of a program that ended meanwhile until it is waited for.)
while :; do
  interrupted=''
  wait "$child"
  code=$?
  [ -z "$interrupted" ] && break
done
[ -n "$poller" ] && kill "$poller" 2>/dev/null
[ -n "$stopper" ] && kill "$stopper" 2>/dev/null
if [ -f "$run/$name.stopped" ]; then
  say "stopped once the main containers were done (the program exited with $code)"
  code=0
fi
record "$code"
exit "$code"
