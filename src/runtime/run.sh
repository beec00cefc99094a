# order-containers run: the entrypoint wrapper. It waits for the containers this one starts after,
# runs the container's own program, and leaves files in the shared run folder for the others:
#   NAME.started  the program is being started
#   NAME.ready    the container's readiness check passed once
#   NAME.exit     the program's exit code (written atomically)
#   NAME.stopped  a Job's sidecar was stopped because the main containers were done
#   NAME.alive    the time of the last heartbeat of a container whose exit others wait for
#   NAME.waiting  the time, every second, while the wrapper waits for its own dependencies
# It is the container's command, run by the static busybox the helper init container copied (its #!
# line names it), with the run folder beside the helper's (run-folder.sh):
#   /order-containers/bin/run.sh FLAG... -- PROGRAM [ARG...]   (runtime/scripts.ts: check.sh, checks/*.sh, run-folder.sh, then this)
# src/protocol/wrapper.ts writes the flags; each takes one value unless said otherwise:
#   --name NAME --timeout SECONDS                always
#   --after DEPENDENCY:started|ready|exit  start only once DEPENDENCY got there (exit: with code 0);
#                                          started and ready within --timeout (see await), exit unbounded
#   --ready KIND --attempt S --check-arg ARG...  write NAME.ready once the check (check.sh) passes
#   --record-exit                          (no value) write NAME.exit
#   --run-once                             (no value) the pod restarts exited containers: once the
#                                          program exited with 0, stay up without running it again
#   --sidecar                              (no value) on SIGTERM, let the --main containers exit first,
#   --grace SECONDS --main MAIN...           for at most --grace seconds
#   --job Never|OnFailure                  stop the program once the --main containers have exited
#                                          (OnFailure: each with 0)
#   --quit URL                             to stop it, POST to URL first, and signal it only if it
#                                          outlives the grace
# Every name and argument is a flag's value: nothing from the manifest is spliced into this script,
# and PROGRAM receives its arguments exactly as kubelet passed them.
say() {
  echo "order-containers: $name: $*" >&2
}

record() {
  [ -n "$beater" ] && kill "$beater" 2>/dev/null
  mark exit "$1"
}

give_up() {
  say "$*"
  "$bb" rm -f "$run/$name.waiting"
  record 1
  exit 1
}

# Until the program runs there is nothing to pass a signal to: a wrapper that is still waiting stops at
# once, and leaves its exit file for the containers that wait for it (a sidecar's wrapper, to stop).
# As PID 1 of its container it would otherwise ignore SIGTERM (the kernel drops the signals PID 1 has
# no handler for) and hold the pod's deletion for the whole grace period.
stopped_waiting() {
  if [ -n "$run" ]; then
    "$bb" rm -f "$run/$name.waiting"
    [ -n "$exitfile" ] && record "$1"
  fi
  exit "$1"
}
trap 'stopped_waiting 143' TERM
trap 'stopped_waiting 130' INT

run=$folder name='' timeout_s='' after_n=0 exitfile='' once='' sidecar='' grace=30 side_n=0 job='' quit=''
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  case $1 in
  --record-exit | --sidecar | --run-once)
    case $1 in
    --sidecar) sidecar=1 ;;
    --run-once) once=1 ;;
    *) exitfile=1 ;;
    esac
    shift
    continue
    ;;
  esac
  if [ $# -lt 2 ]; then
    echo "order-containers: $1 has no value" >&2
    exit 2
  fi
  case $1 in
  --name) name=$2 ;;
  --timeout) timeout_s=$2 ;;
  --after)
    after_n=$((after_n + 1))
    eval "after_$after_n=\$2"
    ;;
  --grace) grace=$2 ;;
  --main)
    side_n=$((side_n + 1))
    eval "main_$side_n=\$2"
    ;;
  --job) job=$2 ;;
  --quit) quit=$2 ;;
  *) check_flag "$1" "$2" ;;
  esac
  shift 2
done
if [ $# -eq 0 ]; then
  echo "order-containers: no -- before the program" >&2
  exit 2
fi
shift

# beat_age FILE: sets age to the seconds since the time FILE holds (a heartbeat); fails without one.
beat_age() {
  present "$1" || return 1
  beat=$("$bb" cat "$1")
  case $beat in '' | *[!0-9]*) return 1 ;; esac
  age=$(($("$bb" date +%s) - beat))
}

# dead NAME: NAME's heartbeat stopped more than 5 s ago without an exit file: its container was killed
# whole (an OOM kill of the group, SIGKILL at the end of its grace), taking its wrapper with it.
dead() {
  beat_age "$run/$1.alive" && [ "$age" -gt 5 ]
}

# busy NAME: NAME's wrapper is still waiting for its own dependencies (its waiting file is fresh).
busy() {
  beat_age "$run/$1.waiting" && [ "$age" -le 5 ]
}

# await DEPENDENCY STATE: returns once DEPENDENCY left its STATE file (exit: with code 0), and gives up
# when it exited otherwise or died without an exit file. timeoutSeconds has one meaning for every
# mechanism: the longest a container waits for another one to be Started or Ready. A wait for one to
# complete has no bound, as a regular init container has none under native and postStart (Tekton's
# -wait_file has none either): the Job's activeDeadlineSeconds or the pod's deletion bounds it. Nor
# does the time a dependency spends waiting for its own dependencies count (a build it waits to
# complete), as kubelet counts a sidecar's startupProbe only from the sidecar's start: the clock starts
# again while DEPENDENCY is busy. Meanwhile this wrapper says it is busy too, for the ones waiting on it.
await() {
  what=$2
  [ "$2" = exit ] && what=completed
  # date counts whole seconds: waiting until it passes the deadline waits at least timeout_s.
  deadline=$(($("$bb" date +%s) + timeout_s))
  while :; do
    now=$("$bb" date +%s)
    mark waiting "$now"
    if [ "$2" != exit ] && present "$run/$1.$2"; then return 0; fi
    if present "$run/$1.exit"; then
      code=$("$bb" cat "$run/$1.exit")
      [ "$code" != 0 ] && give_up "$1 exited with code $code; not starting"
      [ "$2" = exit ] && return 0
      give_up "$1 exited before it was $what; not starting"
    fi
    dead "$1" && give_up "$1 stopped without an exit code (its container was killed whole); not starting"
    if [ "$2" != exit ]; then
      if busy "$1"; then
        deadline=$((now + timeout_s))
      elif [ "$now" -gt "$deadline" ]; then
        give_up "$1 was not $what after ${timeout_s}s; not starting"
      fi
    fi
    "$bb" sleep 1
  done
}

# mains_done any|zero: every main container has exited, or died without a word (zero: each exited
# with code 0, so a dead one is not done: kubelet restarts it under OnFailure).
mains_done() {
  i=1
  while [ "$i" -le "$side_n" ]; do
    eval "m=\$main_$i"
    if present "$run/$m.exit"; then
      if [ "$1" = zero ] && [ "$("$bb" cat "$run/$m.exit")" != 0 ]; then return 1; fi
    elif [ "$1" = zero ] || ! dead "$m"; then
      return 1
    fi
    i=$((i + 1))
  done
}

# kubelet restarts an exited container in a pod with restartPolicy Always (ShouldContainerBeRestarted,
# pkg/kubelet/container/helpers.go): a step that must run once, to completion, stays up instead, asleep.
stay_done() {
  trap 'exit 0' TERM INT
  while :; do
    "$bb" sleep 3600 &
    wait $!
  done
}
if [ -n "$once" ] && present "$run/$name.exit" && [ "$("$bb" cat "$run/$name.exit")" = 0 ]; then
  say "completed in an earlier run of this container; not running it again"
  stay_done
fi

# Files left by an earlier run of this container (kubelet restarted it) describe that run, not this one.
"$bb" rm -f "$run/$name.started" "$run/$name.ready" "$run/$name.exit" "$run/$name.stopped" "$run/$name.alive" "$run/$name.waiting"

beater=''
if [ -n "$exitfile" ]; then
  # A heartbeat from the start, waits included, for the sidecars that wait for this container's exit
  # file: it dies with the container when the container is killed whole and no exit file comes.
  (
    while :; do
      mark alive "$("$bb" date +%s)"
      "$bb" sleep 1
    done
  ) </dev/null >/dev/null 2>&1 &
  beater=$!
fi

i=1
while [ "$i" -le "$after_n" ]; do
  eval "dependency=\$after_$i"
  await "${dependency%:*}" "${dependency##*:}"
  i=$((i + 1))
done
"$bb" rm -f "$run/$name.waiting"

mark started
[ -z "$exitfile$kind$sidecar" ] && exec "$@"
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
  if [ "$1" = TERM ] && [ -n "$sidecar" ]; then
    # A sidecar outlives the main containers: kubelet stops them all at once, so wait for them here,
    # but leave the program max(2 s, grace/10) of the grace period to stop in.
    keep=$((grace / 10))
    [ "$keep" -lt 2 ] && keep=2
    end=$(($("$bb" date +%s) + grace - keep))
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
if [ -n "$kind" ]; then
  (
    until check; do "$bb" sleep 1; done
    mark ready
  ) </dev/null >/dev/null 2>&1 &
  poller=$!
fi
if [ -n "$job" ]; then
  (
    policy=any
    [ "$job" = OnFailure ] && policy=zero
    until mains_done "$policy"; do "$bb" sleep 1; done
    mark stopped
    if [ -n "$quit" ]; then
      # POST http://HOST:PORT/PATH, with busybox nc as the checks do (its wget is not in every build).
      target=${quit#http://}
      address=${target%%/*}
      printf 'POST /%s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' "${target#*/}" "$address" |
        "$bb" timeout -s KILL 5 "$bb" nc -w 5 "${address%:*}" "${address##*:}" >/dev/null 2>&1
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
if present "$run/$name.stopped"; then
  say "stopped once the main containers were done (the program exited with $code)"
  code=0
fi
record "$code"
[ -n "$once" ] && [ "$code" = 0 ] && stay_done
exit "$code"
