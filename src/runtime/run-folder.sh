# The run folder (order-containers-run), shared by every container a wrapper or gate serves: each
# writes its own marks there, and reads the others'. All containers of a pod are one trust domain, but
# a container must not make another's script write into its filesystem, nor pass a link for a mark.

# Where the helper put things (runtime/helper.ts lays them out so): busybox beside this script, and the
# run folder at ../run; the script is started by its path (its #! line, or `sh PATH`), which is $0.
bb=${0%/*}/busybox
folder=${0%/*/*}/run

# mark SUFFIX [CONTENT]: writes NAME.SUFFIX in the run folder without following a link that another
# container put there: a new file of our own (mktemp creates it exclusively), renamed over the name
# (rename replaces a link, never its target), readable by containers that run as other users.
mark() {
  tmp=$("$bb" mktemp "$run/.$name.XXXXXX") || return 1
  [ $# -gt 1 ] && echo "$2" >"$tmp"
  "$bb" chmod 644 "$tmp" && "$bb" mv -f "$tmp" "$run/$name.$1"
}

# present FILE: a file of the run folder, not a link (a link is another container's forgery).
present() {
  [ -f "$1" ] && [ ! -L "$1" ]
}
