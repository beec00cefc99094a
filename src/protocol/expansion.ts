/**
 * kubelet expands `$(VAR)` in a container's command and args and in exec hooks and probes, and turns
 * `$$` into `$` (third_party/forked/golang/expansion in kubernetes/kubernetes). What we write is
 * escaped so that it reaches the shell byte for byte; a program's own words keep their expansion.
 */
export function escapeExpansion(s: string): string {
  // Most words hold no `$`: every wrapper and gate escapes each of its flags, per pod.
  return s.includes('$') ? s.split('$').join('$$') : s;
}

export function unescapeExpansion(s: string): string {
  return s.split('$$').join('$');
}
