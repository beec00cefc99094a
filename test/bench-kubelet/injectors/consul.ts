/**
 * Consul's connect injector (hashicorp/consul-k8s control-plane/connect-inject), reduced to what the start
 * order depends on. Sources: constants/annotations_and_labels.go (consul.hashicorp.com/connect-inject,
 * read with strconv.ParseBool; consul.hashicorp.com/connect-inject-status "injected" once done),
 * webhook/mesh_webhook.go Handle at ee7fe23ed36210de4a6bf913282aa4d8c9ca3ae6 (consul-connect-inject-init
 * appended to the init containers, after the pod's own; then consul-dataplane appended right after it
 * as a native sidecar, or else to the containers, after the app: proxy lifecycle's placing it first among
 * the containers is not emulated), webhook/consul_dataplane_sidecar.go consulDataplaneSidecar (the
 * container consul-dataplane, its args from getContainerSidecarArgs, the TCP readinessProbe on the
 * proxy's inbound port 20000 with initialDelaySeconds 1; with lifecycle.Config.EnableConsulDataplaneAsSidecar,
 * the pod's consul.hashicorp.com/enable-consul-dataplane-as-sidecar read with ParseBool, default false:
 * restartPolicy Always and the startupProbe exec `/usr/local/bin/consul-dataplane -check-proxy-health`,
 * timeoutSeconds 5 and failureThreshold 3 as its test's defaults, period and initial delay 1 per
 * hashicorp/consul-k8s#4678's review), webhook/container_init.go initContainerCommandTpl and
 * container_init_test.go "Whole template by default" (the init container's `/bin/sh -ec` command; it runs
 * as initContainersUserAndGroupID 5996, consul-dataplane as sidecarUserAndGroupID 5995),
 * and the volume consul-connect-inject-data (emptyDir, Memory) both mount at /consul/connect-inject.
 * The install is one without ACLs, TLS or transparent proxy (no auth-method or CA flags, no iptables).
 */
import type { V1Container } from '@kubernetes/client-node';
import { annotation, insertAt, parseGoBool, type Injector } from '../admission.js';

const PREFIX = 'consul.hashicorp.com/';
const DATA = { name: 'consul-connect-inject-data', mountPath: '/consul/connect-inject' };
const POD_ENV = [
  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
];

const INIT: V1Container = {
  name: 'consul-connect-inject-init',
  image: 'hashicorp/consul-k8s-control-plane:1.8.0',
  command: [
    '/bin/sh',
    '-ec',
    '\nconsul-k8s-control-plane connect-init -pod-name=${POD_NAME} -pod-namespace=${POD_NAMESPACE} \\\n  -consul-api-timeout=0s \\\n  -consul-node-name=k8s-service-mesh \\\n  -log-level=info \\\n  -log-json=false\n',
  ],
  env: POD_ENV,
  volumeMounts: [{ ...DATA }],
  securityContext: { runAsUser: 5996, runAsGroup: 5996, runAsNonRoot: true },
};

function dataplane(native: boolean): V1Container {
  return {
    name: 'consul-dataplane',
    image: 'hashicorp/consul-dataplane:1.8.0',
    args: [
      '-addresses',
      'consul-server.consul.svc',
      '-envoy-admin-bind-address=127.0.0.1',
      '-consul-dns-bind-addr=127.0.0.1',
      '-xds-bind-addr=127.0.0.1',
      '-grpc-port=8502',
      '-proxy-service-id-path=/consul/connect-inject/proxyid',
      '-log-level=info',
      '-log-json=false',
      '-envoy-concurrency=2',
      '-graceful-addr=127.0.0.1',
      '-tls-disabled',
      '-graceful-port=20600',
      '-telemetry-prom-scrape-path=/metrics',
    ],
    env: [{ name: 'TMPDIR', value: '/consul/connect-inject' }, ...POD_ENV],
    volumeMounts: [{ ...DATA }],
    readinessProbe: { tcpSocket: { port: 20000 }, initialDelaySeconds: 1 },
    securityContext: { runAsUser: 5995, runAsGroup: 5995, runAsNonRoot: true },
    ...(native
      ? {
          restartPolicy: 'Always',
          startupProbe: {
            exec: { command: ['/usr/local/bin/consul-dataplane', '-check-proxy-health'] },
            initialDelaySeconds: 1,
            periodSeconds: 1,
            timeoutSeconds: 5,
            failureThreshold: 3,
          },
        }
      : {}),
  };
}

export function consulInjector(): Injector {
  return ({ pod }) => {
    if (parseGoBool(annotation(pod, `${PREFIX}connect-inject`)) !== true) return;
    if (annotation(pod, `${PREFIX}connect-inject-status`) === 'injected') return;
    const native = parseGoBool(annotation(pod, `${PREFIX}enable-consul-dataplane-as-sidecar`)) ?? false;
    (pod.spec.volumes ??= []).push({ name: DATA.name, emptyDir: { medium: 'Memory' } });
    const inits = (pod.spec.initContainers ??= []);
    insertAt(inits, '-', structuredClone(INIT));
    insertAt(native ? inits : pod.spec.containers, '-', dataplane(native));
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [`${PREFIX}connect-inject-status`]: 'injected' };
  };
}
