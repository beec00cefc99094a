/**
 * kubelet's `$(VAR)` expansion, ported from Kubernetes' third_party/forked/golang/expansion/expand.go
 * (Expand, tryReadVariableName): `$(NAME)` becomes the variable's value when it is defined and stays as
 * written when not, `$$` becomes `$`, and every other `$` stays. kubelet applies it to a container's
 * command and args (kubecontainer.ExpandContainerCommandAndArgs), to env values in order
 * (makeEnvironmentVariables), and to exec probe commands (ExpandContainerCommandOnlyStatic).
 */
export function expand(input: string, env: ReadonlyMap<string, string>): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c !== '$' || i + 1 === input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += env.get(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
}
