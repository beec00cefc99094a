/**
 * kubelet's `$(VAR)` expansion of the strings of a pod spec, as it applies it to an exec probe's
 * command (third_party/forked/golang/expansion/expand.go, Expand): `$(NAME)` becomes the value when NAME
 * is in `vars` and stays as written when not, `$$` becomes `$`, any other `$` stays. What we write is
 * escaped against it instead: protocol/expansion.ts.
 */
export function expandLikeKubelet(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') out += '$';
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close < 0) out += '$(';
      else {
        const name = rest.slice(1, close);
        out += vars.get(name) ?? `$(${name})`;
        advance = close + 1;
      }
    } else out += `$${rest[0]}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}
