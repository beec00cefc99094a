/**
 * The built-in presets, as data.
 */
import type { InjectionMarker, MarkerSource, Preset } from './preset.js';

function marker(source: MarkerSource, key: string, value: string): InjectionMarker {
  return { source, key, value };
}

/**
 * The sidecars order-containers knows. Ports, paths and commands are each project's defaults; a config
 * entry with the same name replaces any field (README: Presets). Versions are in the README's table.
 */
export const BUILT_IN_PRESETS: readonly Preset[] = [
  {
    name: 'istio',
    containers: ['istio-proxy'],
    images: [],
    ready: { port: 15021, path: '/healthz/ready' },
    waitCommand: ['pilot-agent', 'wait', '--timeoutSeconds', '{timeoutSeconds}'],
    entrypoint: ['/usr/local/bin/pilot-agent'],
    quit: { port: 15020, path: '/quitquitquit' },
    initContainers: ['istio-init', 'istio-validation'],
    injection: {
      enabledBy: [
        marker('podLabel', 'sidecar.istio.io/inject', 'true'),
        marker('podAnnotation', 'sidecar.istio.io/inject', 'true'),
        marker('namespaceLabel', 'istio-injection', 'enabled'),
        marker('namespaceLabel', 'istio.io/rev', '*'),
      ],
      disabledBy: [
        marker('podLabel', 'sidecar.istio.io/inject', 'false'),
        marker('podAnnotation', 'sidecar.istio.io/inject', 'false'),
        marker('namespaceLabel', 'istio-injection', 'disabled'),
      ],
      nativeAnnotations: { 'sidecar.istio.io/nativeSidecar': 'true' },
      postStartAnnotations: { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}' },
    },
  },
  {
    name: 'linkerd',
    containers: ['linkerd-proxy'],
    images: [],
    ready: { port: 4191, path: '/ready' },
    waitCommand: ['/usr/lib/linkerd/linkerd-await', '--timeout={timeoutSeconds}s', '--port=4191'],
    initContainers: ['linkerd-init', 'linkerd-network-validator'],
    injection: {
      enabledBy: [
        marker('podAnnotation', 'linkerd.io/inject', 'enabled'),
        marker('podAnnotation', 'linkerd.io/inject', 'ingress'),
        marker('namespaceAnnotation', 'linkerd.io/inject', 'enabled'),
      ],
      disabledBy: [marker('podAnnotation', 'linkerd.io/inject', 'disabled')],
      nativeAnnotations: { 'config.linkerd.io/proxy-enable-native-sidecar': 'true' },
      postStartAnnotations: { 'config.linkerd.io/proxy-await': 'enabled' },
    },
  },
  {
    name: 'vault',
    containers: ['vault-agent'],
    images: [],
    injection: {
      enabledBy: [marker('podAnnotation', 'vault.hashicorp.com/agent-inject', 'true')],
      disabledBy: [],
      nativeAnnotations: { 'vault.hashicorp.com/agent-init-first': 'true' },
      postStartAnnotations: { 'vault.hashicorp.com/agent-init-first': 'true' },
      warning:
        'the Vault injector has no native sidecar mode: its vault-agent-init container (now first among the init containers) fetches the secrets before the app starts, but the vault-agent sidecar is a regular container, stopped with the app, and keeps a Job\'s pod running unless vault.hashicorp.com/agent-pre-populate-only is "true"',
    },
  },
  {
    name: 'cloud-sql-proxy',
    containers: ['cloud-sql-proxy', 'cloudsql-proxy'],
    images: ['*cloud-sql-connectors/cloud-sql-proxy*', '*cloudsql-docker/gce-proxy*'],
    ready: { port: 9090, path: '/startup' },
    // GoogleCloudPlatform/cloud-sql-proxy cmd/root.go: --http-address (default "localhost") and
    // --http-port (default "9090") are persistent flags; loadConfig (the root command's Args hook)
    // binds every flag to CSQL_PROXY_<NAME> through viper, flags winning; runWaitCmd builds its URL
    // from its own --http-address and --http-port only, so the wait command is told a moved port.
    reads: {
      flagSyntax: 'pflag',
      portFlag: 'http-port',
      addressFlag: { name: 'http-address', default: 'localhost' },
      envPrefix: 'CSQL_PROXY_',
      quitPortFlag: 'admin-port',
      waitPortFlag: 'http-port',
    },
    waitCommand: ['/cloud-sql-proxy', 'wait', '--max', '{timeoutSeconds}s'],
    entrypoint: ['/cloud-sql-proxy'],
    // The health endpoints exist only with --health-check, and kubelet's probes reach the pod's IP.
    requiredArgs: ['--health-check', '--http-address=0.0.0.0'],
    quit: { port: 9091, path: '/quitquitquit', arg: '--quitquitquit' },
    versions: [
      {
        // v1 (gcr.io/cloudsql-docker/gce-proxy, /cloud_sql_proxy): Go's flag package, so a v2 flag makes
        // it exit ("flag provided but not defined"); no wait command, no quit endpoint, no ENTRYPOINT.
        // cmd/cloud_sql_proxy/cloud_sql_proxy.go: -use_http_health_check, -health_check_port (default
        // "8090"); internal/healthcheck/healthcheck.go serves /startup on ":"+port, every address.
        name: 'v1',
        images: ['*cloudsql-docker/gce-proxy*'],
        programs: ['cloud_sql_proxy'],
        ready: { port: 8090, path: '/startup' },
        reads: { flagSyntax: 'go', portFlag: 'health_check_port' },
        requiredArgs: ['-use_http_health_check'],
      },
    ],
  },
  {
    name: 'envoy',
    containers: ['envoy'],
    images: ['*envoyproxy/envoy*'],
    // No default port: Envoy starts an admin server only where its bootstrap sets admin.address
    // (envoyproxy/envoy api/envoy/config/bootstrap/v3/bootstrap.proto, Admin.address). Its samples
    // declare it as a container port named envoy-admin; the image's own bootstrap is /etc/envoy/envoy.yaml.
    ready: { path: '/ready' },
    reads: {
      flagSyntax: 'tclap',
      portNames: ['envoy-admin', 'admin'],
      envoyBootstrap: { default: '/etc/envoy/envoy.yaml' },
      quitOnReadyPort: true,
    },
    quit: { port: 9901, path: '/quitquitquit' },
  },
  {
    name: 'oauth2-proxy',
    containers: ['oauth2-proxy'],
    images: ['*oauth2-proxy/oauth2-proxy*'],
    ready: { port: 4180, path: '/ping' },
    entrypoint: ['/bin/oauth2-proxy'],
  },
  {
    name: 'otel-collector',
    containers: ['otel-collector', 'opentelemetry-collector', 'otc-container'],
    images: ['*opentelemetry-collector*'],
    // The health_check extension's default port; the collector must enable it.
    ready: { port: 13133, path: '/' },
  },
];
