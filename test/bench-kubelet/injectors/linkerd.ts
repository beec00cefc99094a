/**
 * Linkerd's proxy injector, reduced to what the start and stop depend on. Sources (linkerd/linkerd2):
 * controller/proxy-injector/webhook.go and pkg/inject/inject.go (a pod annotated linkerd.io/inject
 * `enabled` or `ingress`, or in a namespace annotated `enabled`, unless the pod says `disabled`; the
 * namespace's config.linkerd.io/* annotations apply where the pod has none, AppendNamespaceAnnotations),
 * pkg/inject (applyAnnotationOverrides: config.linkerd.io/proxy-await `enabled` or `disabled` sets
 * proxy.await, config.linkerd.io/proxy-enable-native-sidecar, read with strconv.ParseBool, sets
 * proxy.nativeSidecar), charts/patch/templates/patch.json (linkerd-init appended to the init containers, or
 * put first as a native sidecar with linkerd-proxy right after it; otherwise linkerd-proxy first among the
 * containers with proxy.await, else appended), charts/partials/templates/_proxy.tpl (the readinessProbe
 * /ready and livenessProbe /live on the admin port 4191, LINKERD2_PROXY_ADMIN_LISTEN_ADDR [::]:4191; a
 * startupProbe on /ready only with nativeSidecar and await; the postStart `linkerd-await --timeout=2m
 * --port=4191` only with await and not native; restartPolicy Always with nativeSidecar;
 * LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED from proxy.enableShutdownEndpoint, "true" for a pod annotated
 * config.linkerd.io/proxy-admin-shutdown: enabled, linkerd2 35fb2d6) and the identity variables and
 * end-entity volume the image's ENTRYPOINT writes the proxy's key into. The install's defaults, as its
 * linkerd-config records them: proxy.await true, proxy.nativeSidecar false, proxy.enableShutdownEndpoint
 * false, proxy.startupProbe {initialDelaySeconds 0, periodSeconds 1, failureThreshold 120}.
 */
import type { V1Container } from '@kubernetes/client-node';
import { annotation, insertAt, parseGoBool, type AdmissionRequest, type Injector } from '../admission.js';

/** What the Linkerd install decides for every pod (its Helm values), which a pod's annotations override. */
export interface LinkerdInstall {
  readonly await: boolean;
  readonly nativeSidecar: boolean;
  readonly enableShutdownEndpoint: boolean;
}

/** The chart's values, as an install's linkerd-config records them. */
export const LINKERD_DEFAULTS: LinkerdInstall = { await: true, nativeSidecar: false, enableShutdownEndpoint: false };

const ADMIN = 4191;
const CONFIG_PREFIX = 'config.linkerd.io/';

function injects(request: AdmissionRequest): boolean {
  const own = annotation(request.pod, 'linkerd.io/inject');
  if (own !== undefined) return own === 'enabled' || own === 'ingress';
  return request.namespace.annotations['linkerd.io/inject'] === 'enabled';
}

/** The pod's config annotations, the namespace's where the pod has none. */
function settings(request: AdmissionRequest): Record<string, string> {
  const inherited = Object.entries(request.namespace.annotations).filter(([k]) => k.startsWith(CONFIG_PREFIX));
  return { ...Object.fromEntries(inherited), ...(request.pod.metadata.annotations ?? {}) };
}

function proxy(native: boolean, wait: boolean, shutdown: boolean): V1Container {
  const ready = { httpGet: { path: '/ready', port: ADMIN } };
  return {
    name: 'linkerd-proxy',
    image: 'cr.l5d.io/linkerd/proxy:edge-25.8.2',
    env: [
      { name: 'LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED', value: String(shutdown) },
      { name: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', value: `[::]:${ADMIN}` },
      { name: 'LINKERD2_PROXY_INBOUND_LISTEN_ADDR', value: '[::]:4143' },
      { name: '_pod_ns', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: '_pod_sa', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'LINKERD2_PROXY_IDENTITY_DIR', value: '/var/run/linkerd/identity/end-entity' },
      { name: 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS', value: '-----BEGIN CERTIFICATE-----\n(elided)\n-----END CERTIFICATE-----\n' },
      { name: 'LINKERD2_PROXY_IDENTITY_LOCAL_NAME', value: '$(_pod_sa).$(_pod_ns).serviceaccount.identity.linkerd.cluster.local' },
    ],
    ports: [
      { containerPort: 4143, name: 'linkerd-proxy' },
      { containerPort: ADMIN, name: 'linkerd-admin' },
    ],
    livenessProbe: { httpGet: { path: '/live', port: ADMIN }, initialDelaySeconds: 10, timeoutSeconds: 1 },
    readinessProbe: { ...ready, initialDelaySeconds: 2, timeoutSeconds: 1 },
    ...(native && wait ? { startupProbe: { ...ready, initialDelaySeconds: 0, periodSeconds: 1, failureThreshold: 120 } } : {}),
    ...(!native && wait
      ? { lifecycle: { postStart: { exec: { command: ['/usr/lib/linkerd/linkerd-await', '--timeout=2m', `--port=${ADMIN}`] } } } }
      : {}),
    securityContext: { runAsUser: 2102, runAsNonRoot: true },
    volumeMounts: [{ mountPath: '/var/run/linkerd/identity/end-entity', name: 'linkerd-identity-end-entity' }],
    ...(native ? { restartPolicy: 'Always' } : {}),
  };
}

const INIT: V1Container = {
  name: 'linkerd-init',
  image: 'cr.l5d.io/linkerd/proxy-init:v2.4.3',
  args: ['--incoming-proxy-port', '4143', '--outgoing-proxy-port', '4140', '--proxy-uid', '2102'],
  securityContext: { runAsUser: 65534, runAsNonRoot: true },
};

export function linkerdInjector(install: LinkerdInstall): Injector {
  return (request) => {
    if (!injects(request)) return;
    const { pod } = request;
    const own = settings(request);
    const awaitSetting = own[`${CONFIG_PREFIX}proxy-await`];
    const wait = awaitSetting === 'enabled' || awaitSetting === 'disabled' ? awaitSetting === 'enabled' : install.await;
    const native = parseGoBool(own[`${CONFIG_PREFIX}proxy-enable-native-sidecar`]) ?? install.nativeSidecar;
    const shutdown = own[`${CONFIG_PREFIX}proxy-admin-shutdown`] === 'enabled' || install.enableShutdownEndpoint;
    const inits = (pod.spec.initContainers ??= []);
    insertAt(inits, native ? 0 : '-', structuredClone(INIT));
    (pod.spec.volumes ??= []).push({ name: 'linkerd-identity-end-entity', emptyDir: { medium: 'Memory' } });
    if (native) insertAt(inits, 1, proxy(true, wait, shutdown));
    else insertAt(pod.spec.containers, wait ? 0 : '-', proxy(false, wait, shutdown));
  };
}
