/**
 * Plain scalars that look like numbers, read as the API server and kubectl read them. Both turn YAML
 * into JSON with sigs.k8s.io/yaml (YAMLToJSON; the API server's YAML serializer is
 * k8s.io/apimachinery/pkg/runtime/serializer/json/json.go, Serializer.Decode), over go-yaml. Its
 * `resolve` (goyaml.v2/resolve.go and goyaml.v3/resolve.go in kubernetes-sigs/yaml, the same on
 * numbers) drops every `_`, then tries strconv.ParseInt(text, 0, 64), then a float. So `05432` is the
 * octal 2842 (a YAML 1.2 reader says 5432), `08080` is no octal but the float 8080, `0_755` is 493,
 * and `+0x1F`, `0b101` and `0O17` are numbers too. kyaml (kustomize, kpt) resolves with go-yaml v3 as
 * well. Read the YAML 1.2 way, a port, a probe's period or a file mode would be another number than the
 * one kubelet gets, so both parsers here read numbers this way (load.ts).
 */

/**
 * go-yaml tries numbers only on a scalar whose first character is a digit or a sign; after that, an
 * `_` may stand anywhere, as it is dropped before parsing. Go's ParseInt(s, 0, 64): 0x, 0o, 0b in
 * either case, a leading 0 for octal. The float is go-yaml's yamlStyleFloat.
 */
const GO_INT = /^[-+]?_*(?:0_*[xX]_*[0-9a-fA-F][0-9a-fA-F_]*|0_*[oO]_*[0-7][0-7_]*|0_*[bB]_*[01][01_]*|0[0-7_]*|[1-9][0-9_]*)$/;
const GO_FLOAT = /^[-+]?_*(?:\._*[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE]_*[-+]?_*[0-9][0-9_]*)?$/;

/** Which plain scalars are numbers to go-yaml (a RegExp, as the yaml package's tags test with one). */
export const GO_NUMBER = new RegExp(`^(?=[-+0-9])(?:(?:${GO_INT.source})|(?:${GO_FLOAT.source}))`);

const BASES: Readonly<Record<string, number>> = { x: 16, o: 8, b: 2 };

/** The value of a scalar GO_NUMBER matched, as go-yaml gives it. */
export function goNumber(text: string): number {
  const plain = text.replace(/_/g, '');
  if (!GO_INT.test(plain)) return Number(plain);
  const unsigned = plain.replace(/^[-+]/, '');
  const prefixed = /^0[xob]/i.test(unsigned);
  const magnitude = prefixed
    ? parseInt(unsigned.slice(2), BASES[unsigned[1]!.toLowerCase()])
    : parseInt(unsigned, unsigned.startsWith('0') ? 8 : 10);
  // 0 - 0 is 0, where -1 * 0 would be -0.
  return plain.startsWith('-') ? 0 - magnitude : magnitude;
}
