/**
 * Istio's sidecar injector, reduced to what the start order depends on: where istio-proxy goes, its
 * probes and hooks, and the istio-init container before it. Sources (istio/istio):
 * pkg/kube/inject/inject.go (injectRequired: the pod's label, then its annotation, sidecar.istio.io/inject;
 * "y", "yes", "true", "on" inject, any other value does not, none leaves it to the namespace),
 * pkg/kube/inject/webhook.go (reorderPod: istio-proxy first among the containers when
 * holdApplicationUntilProxyStarts, read from the mesh config with the pod's proxy.istio.io/config over it,
 * else last; as a native sidecar, istio-init then istio-proxy first among the init containers, else
 * istio-init last), manifests/charts/istio-control/istio-discovery/files/injection-template.yaml
 * ($nativeSidecar: the pod's sidecar.istio.io/nativeSidecar, else the install's .NativeSidecars, anything
 * but "false"; $holdProxy: the hold and not native, which writes the postStart `pilot-agent wait`; the
 * readinessProbe on 15021 /healthz/ready; restartPolicy Always as a native sidecar), and
 * pkg/kube/inject/testdata/inject/native-sidecar.yaml.injected (the native sidecar's startupProbe: the same
 * endpoint, every second, 600 failures). The namespace opts in with the label istio-injection=enabled or
 * istio.io/rev (the injector's webhook configuration selects those namespaces).
 *
 * Left out, as no start depends on it: the native sidecar's preStop `pilot-agent request POST drain`
 * (the emulated status server has no /drain: it would only fail the hook, after which kubelet stops the
 * container anyway), volumes, most env, resources.
 */
import type { V1Container } from '@kubernetes/client-node';
import jsYaml from 'js-yaml';
import { annotation, insertAt, type AdmittedPod, type AdmissionRequest, type Injector } from '../admission.js';

/** What the istiod install decides for every pod, which a pod's annotations override. */
export interface IstioInstall {
  /** istiod's ENABLE_NATIVE_SIDECARS: the template's .NativeSidecars. */
  readonly nativeSidecars: boolean;
  /** meshConfig.defaultConfig.holdApplicationUntilProxyStarts (or values.global.proxy's). */
  readonly holdApplicationUntilProxyStarts: boolean;
}

const IMAGE = 'docker.io/istio/proxyv2:1.24.0';
const READY = { httpGet: { path: '/healthz/ready', port: 15021 } };

function injectRequired(request: AdmissionRequest): boolean {
  const { pod, namespace } = request;
  if (pod.spec.hostNetwork) return false;
  const selector = pod.metadata.labels?.['sidecar.istio.io/inject'] ?? annotation(pod, 'sidecar.istio.io/inject') ?? '';
  if (selector !== '') return ['y', 'yes', 'true', 'on'].includes(selector.toLowerCase());
  return namespace.labels['istio-injection'] === 'enabled' || namespace.labels['istio.io/rev'] !== undefined;
}

/** The pod's ProxyConfig (JSON or YAML) over the mesh's: only the key the order depends on. */
function holds(pod: AdmittedPod, install: IstioInstall): boolean {
  const text = annotation(pod, 'proxy.istio.io/config');
  const own = text === undefined ? undefined : (jsYaml.load(text) as { holdApplicationUntilProxyStarts?: boolean } | null);
  return own?.holdApplicationUntilProxyStarts ?? install.holdApplicationUntilProxyStarts;
}

function proxy(native: boolean, hold: boolean): V1Container {
  return {
    name: 'istio-proxy',
    image: IMAGE,
    args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning'],
    env: [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
    ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
    readinessProbe: { ...READY, initialDelaySeconds: 0, periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 4 },
    ...(native ? { restartPolicy: 'Always', startupProbe: { ...READY, periodSeconds: 1, timeoutSeconds: 3, failureThreshold: 600 } } : {}),
    ...(hold ? { lifecycle: { postStart: { exec: { command: ['pilot-agent', 'wait'] } } } } : {}),
    securityContext: { runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true },
  };
}

const INIT: V1Container = {
  name: 'istio-init',
  image: IMAGE,
  args: [
    'istio-iptables',
    '-p',
    '15001',
    '-z',
    '15006',
    '-u',
    '1337',
    '-m',
    'REDIRECT',
    '-i',
    '*',
    '-x',
    '',
    '-b',
    '*',
    '-d',
    '15090,15021,15020',
  ],
  securityContext: { runAsUser: 0, runAsNonRoot: false },
};

export function istioInjector(install: IstioInstall): Injector {
  return (request) => {
    if (!injectRequired(request)) return;
    const { pod } = request;
    const setting = annotation(pod, 'sidecar.istio.io/nativeSidecar') || String(install.nativeSidecars);
    const native = setting !== 'false';
    const hold = holds(pod, install) && !native;
    const inits = (pod.spec.initContainers ??= []);
    if (native) {
      insertAt(inits, 0, proxy(true, false));
      insertAt(inits, 0, structuredClone(INIT));
    } else {
      insertAt(inits, '-', structuredClone(INIT));
      insertAt(pod.spec.containers, hold ? 0 : '-', proxy(false, hold));
    }
  };
}
