import { readFileSync } from 'node:fs';
import type { V1Container, V1Probe, V1Volume, V1VolumeMount } from '@kubernetes/client-node';

/**
 * The static helper: an injected first init container copies busybox from `helperImage` into a shared
 * in-memory emptyDir, so that gates run in any image, distroless ones included.
 */
export const HELPER_CONTAINER = 'order-containers-helper';
export const HELPER_VOLUME = 'order-containers-bin';
export const HELPER_DIR = '/order-containers/bin';
export const BUSYBOX = `${HELPER_DIR}/busybox`;

/**
 * A script shipped beside this module (plain POSIX sh; busybox sh and dash both run it), after the
 * check function they share. Comment lines and blank lines stay in the repository: every pod spec that
 * uses a script carries it.
 */
function shellScript(file: string): string {
  return ['./check.sh', file]
    .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'))
    .join('\n')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .join('\n')
    .concat('\n');
}

export const WAIT_SCRIPT = shellScript('./wait.sh');
export const RUN_SCRIPT = shellScript('./run.sh');

/** Pod Security Standard "restricted", plus a read-only root: the helper needs nothing more. */
const RESTRICTED = {
  runAsNonRoot: true,
  runAsUser: 65534,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export function helperContainer(image: string): V1Container {
  return {
    name: HELPER_CONTAINER,
    image,
    command: ['/bin/busybox', 'cp', '/bin/busybox', BUSYBOX],
    securityContext: RESTRICTED,
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '16Mi' } },
    volumeMounts: [{ name: HELPER_VOLUME, mountPath: HELPER_DIR }],
  } as V1Container;
}

export const HELPER_VOLUME_SPEC: V1Volume = { name: HELPER_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } };

export const HELPER_MOUNT: V1VolumeMount = { name: HELPER_VOLUME, mountPath: HELPER_DIR, readOnly: true };

export type ReadinessCheck =
  | { readonly kind: 'http'; readonly url: string; readonly headers: readonly string[] }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'exec'; readonly command: readonly string[] };

/** What a readinessProbe checks, as a check the wait script can run, or why it cannot. */
export function checkFromProbe(probe: V1Probe, container: V1Container): ReadinessCheck | string {
  const port = (p: number | string): number | string => {
    if (typeof p === 'number') return p;
    if (/^\d+$/.test(p)) return Number(p);
    const named = container.ports?.find((cp) => cp.name === p);
    return named ? named.containerPort : `the probe's port "${p}" is not a named port of the container`;
  };
  if (probe.httpGet) {
    const { scheme, host, path, httpHeaders } = probe.httpGet;
    if (scheme !== undefined && scheme !== 'HTTP') return `an ${scheme} probe cannot be checked by the static helper (no TLS); give the container an exec readinessProbe`;
    const p = port(probe.httpGet.port);
    if (typeof p === 'string') return p;
    const urlPath = path === undefined || path === '' ? '/' : path.startsWith('/') ? path : `/${path}`;
    return { kind: 'http', url: `http://${host ?? '127.0.0.1'}:${p}${urlPath}`, headers: (httpHeaders ?? []).map((h) => `${h.name}: ${h.value}`) };
  }
  if (probe.tcpSocket) {
    const p = port(probe.tcpSocket.port);
    if (typeof p === 'string') return p;
    return { kind: 'tcp', host: probe.tcpSocket.host ?? '127.0.0.1', port: p };
  }
  if (probe.exec?.command && probe.exec.command.length > 0) return { kind: 'exec', command: probe.exec.command };
  if (probe.grpc) return 'a grpc probe cannot be checked by the static helper; give the container an http, tcp or exec readinessProbe';
  return 'the probe has no handler to check';
}

/**
 * The postStart command that blocks until `check` passes or `timeoutSeconds` is up. The script is a
 * constant; the container name and the check are positional parameters, never part of the script.
 */
export function waitCommand(name: string, check: ReadinessCheck, timeoutSeconds: number, attemptSeconds: number): string[] {
  const args = check.kind === 'http' ? [check.url, ...check.headers] : check.kind === 'tcp' ? [check.host, String(check.port)] : [...check.command];
  return [BUSYBOX, 'sh', '-c', WAIT_SCRIPT, 'order-containers-wait', BUSYBOX, name, String(timeoutSeconds), String(attemptSeconds), check.kind, ...args];
}

/** True when a postStart hook is one this function wrote. */
export function isOurHook(command: readonly string[] | undefined): boolean {
  return command?.[0] === BUSYBOX && command[4] === 'order-containers-wait';
}
