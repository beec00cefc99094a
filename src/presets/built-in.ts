/**
 * The built-in presets, as data.
 */
import type { InjectionMarker, MarkerSource, Preset } from './preset.js';

function marker(source: MarkerSource, key: string, value: string): InjectionMarker {
  return { source, key, value };
}

/**
 * The image patterns of these repositories, anchored to the whole repository path: on Docker Hub
 * (`envoyproxy/envoy:v1.32.0`) or behind any registry or mirror (`docker.io/envoyproxy/envoy:v1.32.0`),
 * with a tag, a digest (`@sha256:…`), both or neither. A pattern that only has to contain the name
 * (`*envoyproxy/envoy*`) also took `envoyproxy/envoy-build-ubuntu`, Envoy's build image, for a sidecar,
 * and a Job running it never completed; `*cloud-sql-connectors/cloud-sql-proxy*` took the Cloud SQL
 * Proxy Operator's image.
 */
function repositories(...names: readonly string[]): string[] {
  return names.flatMap((name) => [name, `${name}:*`, `${name}@*`, `*/${name}`, `*/${name}:*`, `*/${name}@*`]);
}

/** What every version of linkerd2-proxy serves, and where. */
const LINKERD_PROXY: Pick<Preset, 'ready' | 'reads' | 'quit'> = {
  ready: { port: 4191, path: '/ready' },
  // linkerd/linkerd2-proxy linkerd/app/src/env.rs: configured by its environment only, it serves /ready
  // on its admin server at LINKERD2_PROXY_ADMIN_LISTEN_ADDR (IP:PORT, parse_socket_addr), by default
  // DEFAULT_ADMIN_LISTEN_ADDR "127.0.0.1:4191", which kubelet's probes cannot reach; the injector sets
  // it to [::]:4191 (charts/partials/templates/_proxy.tpl). /shutdown is on the same server. linkerd-await
  // polls localhost:--port (default 4191; linkerd/linkerd-await src/main.rs, clap, which refuses a flag
  // given twice): told a moved port, as the injector tells it since linkerd2#11031.
  reads: {
    listen: { variable: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', default: '127.0.0.1:4191' },
    quitOnReadyPort: true,
    waitPortFlag: 'port',
  },
  // POST /shutdown on the admin port, from loopback only (linkerd/linkerd2-proxy
  // linkerd/app/admin/src/server.rs), served only with LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED=true
  // (linkerd/app/src/env.rs: parse_bool, unwrap_or_default, so off when unset). The injector writes that
  // variable from proxy.enableShutdownEndpoint, "false" by default since 2.16 (CVE-2024-40632;
  // charts/partials/templates/_proxy.tpl), or "true" for a pod annotated
  // config.linkerd.io/proxy-admin-shutdown: enabled (linkerd/linkerd2 commit 35fb2d6).
  quit: {
    port: 4191,
    path: '/shutdown',
    env: { name: 'LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED', value: 'true' },
    annotation: { key: 'config.linkerd.io/proxy-admin-shutdown', value: 'enabled' },
  },
};

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
    ...LINKERD_PROXY,
    waitCommand: ['/usr/lib/linkerd/linkerd-await', '--timeout={timeoutSeconds}s'],
    // The image's ENTRYPOINT (linkerd/linkerd2 Dockerfile-proxy) is not the proxy, which reads a key and
    // CSR from LINKERD2_PROXY_IDENTITY_DIR at its start (linkerd/linkerd2-proxy linkerd/app/src/env.rs,
    // parse_linkerd_identity_config: Documents::load, else "Failed to read identity documents") and writes
    // none: the ENTRYPOINT writes them, then runs it. Since 2.11 that is linkerd2-proxy-identity
    // (linkerd/linkerd2 proxy-identity/main.go; linkerd2#6228 folded the script below into it), still
    // the ENTRYPOINT with edge-25.8.2's files (linkerd/linkerd2-proxy Dockerfile). It execs
    // /usr/lib/linkerd/linkerd2-proxy with no arguments (run_proxy_unix.go), as the proxy takes none.
    entrypoint: ['/usr/lib/linkerd/linkerd2-proxy-identity'],
    versions: [
      {
        // Before 2.11 the ENTRYPOINT was the script /usr/bin/linkerd2-proxy-run (proxy-identity/run-proxy.sh:
        // linkerd2-proxy-identity -dir … -name …, then the proxy), and the image had no linkerd-await
        // (the await hook came with 2.11, linkerd2#5967): the helper polls /ready instead. Told by the image
        // tag (stable-2.3 to 2.10; edge releases before June 2021, when linkerd2#6228 was merged; the
        // edge-21.6 releases are taken for the later layout, unconfirmed), or by the script as the program.
        name: 'before 2.11',
        images: [
          ...Array.from({ length: 8 }, (_, i) => `*/proxy:stable-2.${i + 3}.*`),
          '*/proxy:edge-19.*',
          '*/proxy:edge-20.*',
          ...Array.from({ length: 5 }, (_, i) => `*/proxy:edge-21.${i + 1}.*`),
        ],
        programs: ['linkerd2-proxy-run'],
        ...LINKERD_PROXY,
        entrypoint: ['/usr/bin/linkerd2-proxy-run'],
      },
    ],
    initContainers: ['linkerd-init', 'linkerd-network-validator'],
    injection: {
      enabledBy: [
        marker('podAnnotation', 'linkerd.io/inject', 'enabled'),
        marker('podAnnotation', 'linkerd.io/inject', 'ingress'),
        marker('namespaceAnnotation', 'linkerd.io/inject', 'enabled'),
      ],
      disabledBy: [marker('podAnnotation', 'linkerd.io/inject', 'disabled')],
      // linkerd/linkerd2 charts/partials/templates/_proxy.tpl writes the native sidecar's startupProbe on
      // /ready only `if and .Values.proxy.nativeSidecar .Values.proxy.await`: on an install with proxy.await
      // off, a native proxy without the await key would be started, not waited for (test/bench-injected.test.ts).
      nativeAnnotations: { 'config.linkerd.io/proxy-enable-native-sidecar': 'true', 'config.linkerd.io/proxy-await': 'enabled' },
      postStartAnnotations: { 'config.linkerd.io/proxy-await': 'enabled' },
    },
  },
  {
    name: 'vault',
    containers: ['vault-agent'],
    images: [],
    // hashicorp/vault-k8s agent-inject/agent/agent.go: with pre-populate on (the default), the injector adds
    // vault-agent-init among the init containers, which all complete before the app starts; InitFirst
    // (agent-init-first) only puts it before the pod's own init containers. vault-agent, the sidecar that
    // renews the secrets, is a regular container (no native sidecar mode: vault-k8s#620 is open), unless
    // agent-pre-populate-only leaves it out (annotations.go, AnnotationAgentPrePopulateOnly).
    injection: {
      enabledBy: [marker('podAnnotation', 'vault.hashicorp.com/agent-inject', 'true')],
      disabledBy: [],
      nativeAnnotations: { 'vault.hashicorp.com/agent-init-first': 'true' },
      postStartAnnotations: { 'vault.hashicorp.com/agent-init-first': 'true' },
      initContainer: 'vault-agent-init',
      warning:
        'vault.hashicorp.com/agent-init-first only moves vault-agent-init, the init container the Vault injector adds to fetch the secrets (unless vault.hashicorp.com/agent-pre-populate is "false"), before the pod\'s own init containers, so that they find the secrets too; the app starts after it in any case, as after every init container. It does not order the vault-agent sidecar, which renews the secrets: the injector has no native sidecar mode, so vault-agent is a regular container that starts and stops with the app, and whatever the app reaches through it (its cache or API proxy listener) may not be up when the app starts',
      completion:
        'the injected vault-agent keeps running once the work is done, on any Kubernetes version (the Vault injector has no native sidecar mode); where the work needs the secrets only at its start, set vault.hashicorp.com/agent-pre-populate-only: "true", and the injector adds vault-agent-init alone',
    },
  },
  {
    name: 'cloud-sql-proxy',
    containers: ['cloud-sql-proxy', 'cloudsql-proxy'],
    images: [...repositories('cloud-sql-connectors/cloud-sql-proxy'), ...repositories('cloudsql-docker/gce-proxy')],
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
        images: repositories('cloudsql-docker/gce-proxy'),
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
    // envoyproxy/envoy ci/docker_ci.sh: the releases, their variants (tags such as `distroless-v1.32.0`
    // today; before, repositories `envoyproxy/envoy-alpine`, `-debug`, `-distroless`, `-contrib`), and
    // `-dev` for the builds of main. Not `envoyproxy/envoy-build-ubuntu` and its kin: build images.
    images: repositories(
      ...['', '-alpine', '-debug', '-distroless', '-contrib'].flatMap((v) => [`envoyproxy/envoy${v}`, `envoyproxy/envoy${v}-dev`]),
    ),
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
    // Envoy beside an app is most often its front proxy (its samples' front-proxy, envoy-in-a-pod):
    // stopped after the app, it would go on taking requests and answer them 503.
    stop: 'with',
  },
  {
    name: 'oauth2-proxy',
    containers: ['oauth2-proxy'],
    images: repositories('oauth2-proxy/oauth2-proxy'),
    ready: { port: 4180, path: '/ping' },
    // pkg/apis/options/load.go: OAUTH2_PROXY_<name> variables under changed flags (pflag); the legacy
    // flag set's http-address defaults to 127.0.0.1:4180, which kubelet's probes of the pod IP miss.
    reads: { flagSyntax: 'pflag', envPrefix: 'OAUTH2_PROXY_', listen: { flag: 'http-address', default: '127.0.0.1:4180' } },
    entrypoint: ['/bin/oauth2-proxy'],
    // An inbound proxy in front of the app: it stops with it.
    stop: 'with',
  },
  {
    name: 'otel-collector',
    containers: ['otel-collector', 'opentelemetry-collector', 'otc-container'],
    // The distributions of open-telemetry/opentelemetry-collector-releases, as `otel/NAME` on Docker Hub
    // and `ghcr.io/open-telemetry/opentelemetry-collector-releases/NAME`.
    images: repositories('opentelemetry-collector', 'opentelemetry-collector-contrib', 'opentelemetry-collector-k8s'),
    // The health_check extension's default port and path, where the collector's config enables it
    // (presets/collector.ts reads it, and whether it does).
    ready: { port: 13133, path: '/' },
    // open-telemetry/opentelemetry-collector-releases distributions/NAME/Dockerfile: ENTRYPOINT the
    // binary, CMD ["--config", "/etc/BINARY/config.yaml"].
    reads: {
      flagSyntax: 'pflag',
      collectorConfig: {
        imageConfigs: [
          { images: repositories('opentelemetry-collector'), config: '/etc/otelcol/config.yaml' },
          { images: repositories('opentelemetry-collector-contrib'), config: '/etc/otelcol-contrib/config.yaml' },
          { images: repositories('opentelemetry-collector-k8s'), config: '/etc/otelcol-k8s/config.yaml' },
        ],
      },
    },
  },
  {
    // The OpenTelemetry operator's sidecar (open-telemetry/opentelemetry-operator pkg/sidecar): a pod
    // whose annotation sidecar.opentelemetry.io/inject is "true" (the namespace's collector in sidecar
    // mode, when there is exactly one), a collector's name or "namespace/name" gets a container
    // otc-container. annotation.go: the pod's value decides unless it is empty, or "true" where the
    // namespace names a collector; "false" opts out. pod.go: the container is appended to `containers`,
    // or, with the operator's feature gate operator.sidecarcontainers.native (alpha, v0.111.0), added to
    // `initContainers` as a native sidecar with its readinessProbe as startupProbe: a flag of the
    // operator, not of the pod, so no annotation asks for either.
    name: 'opentelemetry-operator',
    containers: ['otc-container'],
    images: [],
    injection: {
      enabledBy: [
        marker('podAnnotation', 'sidecar.opentelemetry.io/inject', '*'),
        marker('namespaceAnnotation', 'sidecar.opentelemetry.io/inject', '*'),
      ],
      disabledBy: [
        marker('podAnnotation', 'sidecar.opentelemetry.io/inject', 'false'),
        marker('namespaceAnnotation', 'sidecar.opentelemetry.io/inject', 'false'),
      ],
      nativeAnnotations: {},
      postStartAnnotations: {},
      warning:
        "the OpenTelemetry operator has no pod annotation for the order of its otc-container: it is a native sidecar, ready before the app starts, only where the operator runs with --feature-gates=operator.sidecarcontainers.native (Kubernetes 1.29+); otherwise it is a regular container that starts with the app, stops with it, and keeps a Job's pod running",
    },
  },
  {
    // Consul's sidecar (hashicorp/consul-k8s control-plane/connect-inject): the pod annotation
    // consul.hashicorp.com/connect-inject, read with strconv.ParseBool (constants/annotations_and_labels.go,
    // AnnotationInject), adds consul-dataplane (consul-k8s 1.0+; envoy-sidecar before) after the init
    // container consul-connect-inject-init. consul.hashicorp.com/enable-consul-dataplane-as-sidecar
    // (AnnotationEnableConsulDataplaneAsSidecar, read by lifecycle.Config.EnableConsulDataplaneAsSidecar with
    // ParseBool) makes it a native sidecar: restartPolicy Always, with the startupProbe `consul-dataplane
    // -check-proxy-health` (webhook/consul_dataplane_sidecar.go), from hashicorp/consul-k8s#4678 (labelled
    // for 1.8.x; older injectors ignore the key). Nothing holds the app before 1.29: the injector appends consul-dataplane
    // after the app with no postStart hook (webhook/mesh_webhook.go, "TODO: invert to start the Envoy
    // sidecar before the application container"), and the lifecycle annotation
    // sidecar-proxy-lifecycle-startup-grace-period-seconds only delays consul-dataplane's own start
    // (-startup-grace-period-seconds, consul_dataplane_sidecar.go).
    name: 'consul',
    containers: ['consul-dataplane', 'envoy-sidecar'],
    images: [],
    initContainers: ['consul-connect-inject-init'],
    injection: {
      enabledBy: [marker('podAnnotation', 'consul.hashicorp.com/connect-inject', 'true')],
      disabledBy: [marker('podAnnotation', 'consul.hashicorp.com/connect-inject', 'false')],
      nativeAnnotations: { 'consul.hashicorp.com/enable-consul-dataplane-as-sidecar': 'true' },
      postStartAnnotations: {},
      warning:
        "the Consul injector makes consul-dataplane a native sidecar, ready before the app starts, for consul.hashicorp.com/enable-consul-dataplane-as-sidecar only from consul-k8s 1.8 (hashicorp/consul-k8s#4678; older injectors ignore it) and on Kubernetes 1.29+; otherwise, and on any cluster before 1.29, where no annotation holds the app until it is ready, consul-dataplane is a regular container that starts with the app, stops with it, and keeps a Job's pod running",
    },
  },
];
