/**
 * The sidecar images the bench can pull: each real image's layout (files, ENTRYPOINT, CMD, ENV, USER)
 * with its binaries replaced by the emulated programs of programs/. The first matching pattern wins,
 * so tag-suffix variants come before the plain pattern. Programs accept the bench knobs of
 * programs/support.ts (startupMs, maxDrainMs) in `config`; the entries set none.
 */
import type { ImageFile, ImageSpec } from './image-spec.js';

/** Docker's default PATH, which the official base images (ubuntu, alpine, debian) set. */
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const program = (name: string, config?: unknown): ImageFile => (config === undefined ? { program: name } : { program: name, config });

// --- Cloud SQL Auth Proxy v2 ---------------------------------------------------------------------
// GoogleCloudPlatform/cloud-sql-proxy Dockerfile (distroless/static:nonroot, USER 65532, ENTRYPOINT
// ["/cloud-sql-proxy"]), Dockerfile.bullseye, Dockerfile.bookworm (debian, same binary and ENTRYPOINT);
// Dockerfile.alpine (alpine; its v2 ENTRYPOINT is assumed the same, unconfirmed).
const CSQL_SOURCE = 'GoogleCloudPlatform/cloud-sql-proxy Dockerfile, Dockerfile.bullseye, Dockerfile.bookworm, Dockerfile.alpine';
const cloudSqlProxy = (pattern: string, base: ImageSpec['base']): ImageSpec => ({
  pattern,
  base,
  files: { '/cloud-sql-proxy': program('cloud-sql-proxy') },
  entrypoint: ['/cloud-sql-proxy'],
  ...(base === 'distro' ? { env: { PATH } } : {}),
  user: 65532,
  source: CSQL_SOURCE,
});

// --- Cloud SQL Proxy v1 (gce-proxy) --------------------------------------------------------------
// The v1 Dockerfile: FROM gcr.io/distroless/base (glibc), COPY cloud_sql_proxy /cloud_sql_proxy, USER
// nonroot, no ENTRYPOINT or CMD (pods name /cloud_sql_proxy in `command`); Dockerfile.alpine / -buster /
// -bullseye variants: a distro with the same file.
const gceProxy = (pattern: string, base: ImageSpec['base']): ImageSpec => ({
  pattern,
  base,
  files: { '/cloud_sql_proxy': program('gce-proxy') },
  ...(base === 'distro' ? { env: { PATH } } : {}),
  user: 65532,
  source: 'GoogleCloudPlatform/cloud-sql-proxy v1 Dockerfile and Dockerfile.alpine',
});

// --- Istio proxyv2 -------------------------------------------------------------------------------
// istio/istio pilot/docker/Dockerfile.proxyv2: default base docker.io/istio/base (Ubuntu), "-distroless"
// tags gcr.io/distroless/cc; /usr/local/bin/pilot-agent and /usr/local/bin/envoy;
// ENTRYPOINT ["/usr/local/bin/pilot-agent"]; no USER (the injector sets runAsUser 1337).
const istio = (pattern: string, base: ImageSpec['base']): ImageSpec => ({
  pattern,
  base,
  files: {
    '/usr/local/bin/pilot-agent': program('pilot-agent'),
    '/usr/local/bin/envoy': program('envoy'),
  },
  entrypoint: ['/usr/local/bin/pilot-agent'],
  env: { PATH },
  source: 'istio/istio pilot/docker/Dockerfile.proxyv2',
});

// --- Linkerd proxy ---------------------------------------------------------------------------------
// linkerd/linkerd2 Dockerfile-proxy: the proxy at /usr/lib/linkerd/linkerd2-proxy, linkerd-await at
// /usr/lib/linkerd/linkerd-await and the identity helper at /usr/lib/linkerd/linkerd2-proxy-identity;
// current images are built on gcr.io/distroless/cc-debian12 (glibc). ENTRYPOINT: the identity helper,
// which writes the proxy's key and CSR and then execs the proxy, since linkerd2#6228 (2.11: before, the
// script /usr/bin/linkerd2-proxy-run did both), still in edge-25.8.2 (linkerd/linkerd2-proxy Dockerfile).
const linkerd = (pattern: string): ImageSpec => ({
  pattern,
  base: 'distroless',
  files: {
    '/usr/lib/linkerd/linkerd2-proxy': program('linkerd-proxy'),
    '/usr/lib/linkerd/linkerd2-proxy-identity': program('linkerd-proxy-identity'),
    '/usr/lib/linkerd/linkerd-await': program('linkerd-await'),
  },
  entrypoint: ['/usr/lib/linkerd/linkerd2-proxy-identity'],
  env: { LINKERD2_PROXY_LOG: 'warn,linkerd=info', LINKERD2_PROXY_LOG_FORMAT: 'plain' },
  source: 'linkerd/linkerd2 Dockerfile-proxy',
});

// Before 2.11 (linkerd2#6228) the ENTRYPOINT was the script /usr/bin/linkerd2-proxy-run, which the
// linkerd2-proxy Dockerfile of the time replaced under SKIP_IDENTITY_WRAPPER ("Inherits the ENTRYPOINT
// from the runtime image"): linkerd/linkerd2 proxy-identity/run-proxy.sh (at ab2c747) runs
// linkerd2-proxy-identity -dir … -name … (its flags then, not the variables), which writes the key and
// CSR and returns, then execs the proxy.
// Dockerfile-proxy built those images on debian:buster-slim (a shell for the script) and had no
// linkerd-await yet (it came with 2.11, linkerd2#5967).
const RUN_PROXY = `#!/usr/bin/env sh
set -eu

if [ -z "\${LINKERD2_PROXY_IDENTITY_DISABLED:-}" ]; then
    /usr/lib/linkerd/linkerd2-proxy-identity \\
        -dir "$LINKERD2_PROXY_IDENTITY_DIR" \\
        -name "$LINKERD2_PROXY_IDENTITY_LOCAL_NAME"
fi

exec /usr/lib/linkerd/linkerd2-proxy
`;
const linkerdBefore211 = (pattern: string): ImageSpec => ({
  pattern,
  base: 'distro',
  files: {
    '/usr/lib/linkerd/linkerd2-proxy': program('linkerd-proxy'),
    '/usr/lib/linkerd/linkerd2-proxy-identity': program('linkerd-proxy-identity', { before211: true }),
    '/usr/bin/linkerd2-proxy-run': { text: RUN_PROXY, mode: 0o755 },
  },
  entrypoint: ['/usr/bin/linkerd2-proxy-run'],
  env: { PATH, LINKERD2_PROXY_LOG: 'warn,linkerd=info' },
  source: 'linkerd/linkerd2 Dockerfile-proxy (debian:buster-slim runtime), proxy-identity/run-proxy.sh',
});

// --- Envoy -------------------------------------------------------------------------------------------
// envoyproxy/envoy ci/Dockerfile-envoy (Ubuntu): /usr/local/bin/envoy, /etc/envoy/envoy.yaml
// (configs/envoyproxy_io_proxy.yaml), ENTRYPOINT ["/docker-entrypoint.sh"], CMD ["envoy", "-c",
// "/etc/envoy/envoy.yaml"]; the distroless stage (distroless/base-nossl): ENTRYPOINT
// ["/usr/local/bin/envoy"], CMD ["-c", "/etc/envoy/envoy.yaml"].
const ENVOY_YAML = `admin:
  address:
    socket_address:
      protocol: TCP
      address: 0.0.0.0
      port_value: 9901
static_resources:
  listeners:
  - name: listener_0
    address:
      socket_address:
        protocol: TCP
        address: 0.0.0.0
        port_value: 10000
`;
// ci/docker-entrypoint.sh, without its user switch (usermod, chown, su-exec): the bench has no envoy
// user, so it always execs as the container's user.
const ENVOY_ENTRYPOINT = `#!/usr/bin/env sh
set -e
if [ "\${1#-}" != "$1" ]; then
	set -- envoy "$@"
fi
if [ "$1" = 'envoy' ]; then
	if [ -n "$loglevel" ]; then
		set -- "$@" --log-level "$loglevel"
	fi
fi
exec "$@"
`;
const envoy = (pattern: string): ImageSpec => ({
  pattern,
  base: 'distro',
  files: {
    '/usr/local/bin/envoy': program('envoy'),
    '/etc/envoy/envoy.yaml': { text: ENVOY_YAML },
    '/docker-entrypoint.sh': { text: ENVOY_ENTRYPOINT, mode: 0o755 },
  },
  entrypoint: ['/docker-entrypoint.sh'],
  cmd: ['envoy', '-c', '/etc/envoy/envoy.yaml'],
  env: { PATH },
  source: 'envoyproxy/envoy ci/Dockerfile-envoy, ci/docker-entrypoint.sh, configs/envoyproxy_io_proxy.yaml (listener filters omitted)',
});
const envoyDistroless = (pattern: string): ImageSpec => ({
  pattern,
  base: 'distroless',
  files: { '/usr/local/bin/envoy': program('envoy'), '/etc/envoy/envoy.yaml': { text: ENVOY_YAML } },
  entrypoint: ['/usr/local/bin/envoy'],
  cmd: ['-c', '/etc/envoy/envoy.yaml'],
  user: 65532,
  source: 'envoyproxy/envoy distribution/docker/Dockerfile-envoy (envoy-distroless stage)',
});

// --- Vault -------------------------------------------------------------------------------------------
// hashicorp/vault Dockerfile (default target: alpine, vault user created by adduser, /bin/vault,
// ENTRYPOINT ["docker-entrypoint.sh"] from /usr/local/bin, CMD ["server", "-dev"]). The vault-k8s
// injector replaces the command with /bin/sh -ec "... > /home/vault/config.json && vault agent ...".
// .release/docker/docker-entrypoint.sh, reduced: it prefixes `vault` to flags and vault subcommands
// (without setcap, su-exec and dumb-init).
const VAULT_ENTRYPOINT = `#!/bin/sh
set -e
case "$1" in
	-*|server|agent|proxy|version|status|operator|login|read|write|token|kv) set -- vault "$@" ;;
esac
exec "$@"
`;
const vault = (pattern: string): ImageSpec => ({
  pattern,
  base: 'distro',
  files: {
    '/bin/vault': program('vault'),
    '/usr/local/bin/docker-entrypoint.sh': { text: VAULT_ENTRYPOINT, mode: 0o755 },
    // The vault user's home (adduser); an image file stands for the directory.
    '/home/vault/.keep': { text: '' },
    '/vault/config/.keep': { text: '' },
  },
  entrypoint: ['docker-entrypoint.sh'],
  cmd: ['server', '-dev'],
  env: { PATH, NAME: 'vault' },
  source: 'hashicorp/vault Dockerfile (default target), .release/docker/docker-entrypoint.sh',
});

// --- oauth2-proxy ------------------------------------------------------------------------------------
// oauth2-proxy/oauth2-proxy Dockerfile: RUNTIME_IMAGE gcr.io/distroless/static:nonroot (alpine for the
// "-alpine" tags), /bin/oauth2-proxy, ENTRYPOINT ["/bin/oauth2-proxy"].
const oauth2Proxy = (pattern: string, base: ImageSpec['base']): ImageSpec => ({
  pattern,
  base,
  files: { '/bin/oauth2-proxy': program('oauth2-proxy') },
  entrypoint: ['/bin/oauth2-proxy'],
  ...(base === 'distro' ? { env: { PATH } } : {}),
  user: 65532,
  source: 'oauth2-proxy/oauth2-proxy Dockerfile',
});

// --- OpenTelemetry Collector -------------------------------------------------------------------------
// open-telemetry/opentelemetry-collector-releases distributions/otelcol/Dockerfile and
// distributions/otelcol-contrib/Dockerfile: FROM scratch, USER 10001, /otelcol (/otelcol-contrib),
// /etc/otelcol(-contrib)/config.yaml, ENTRYPOINT the binary, CMD ["--config", <that file>].
// Images older than 0.104.0 default the health check to 0.0.0.0: their entries set
// config { legacyDefaultHost: true } (the 0.8x tags the Helm chart's older examples run).
const otelConfig = (contrib: boolean): string => `extensions:
  health_check:
  pprof:
    endpoint: 0.0.0.0:1777
  zpages:
    endpoint: 0.0.0.0:55679

receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
        endpoint: 0.0.0.0:4318
${
  contrib
    ? `  prometheus:
    config:
      scrape_configs:
      - job_name: 'otel-collector'
        scrape_interval: 10s
        static_configs:
        - targets: ['0.0.0.0:8888']
`
    : ''
}
processors:
  batch:

exporters:
  debug:
    verbosity: detailed

service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug]
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug]
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug]
  extensions: [health_check, pprof, zpages]
`;
// otelcol-k8s (distributions/otelcol-k8s) has the contrib layout under its own name; its config.yaml
// differs from contrib's in extensions (health_check alone) and processors, which no case here reads.
const otelcol = (pattern: string, bin: 'otelcol' | 'otelcol-contrib' | 'otelcol-k8s', before0104 = false): ImageSpec => {
  const contrib = bin !== 'otelcol';
  return {
    pattern,
    base: 'scratch',
    files: {
      [`/${bin}`]: program('otelcol', before0104 ? { legacyDefaultHost: true } : undefined),
      [`/etc/${bin}/config.yaml`]: { text: otelConfig(contrib) },
    },
    entrypoint: [`/${bin}`],
    cmd: ['--config', `/etc/${bin}/config.yaml`],
    user: 10001,
    source: `open-telemetry/opentelemetry-collector-releases distributions/${bin}/Dockerfile and config.yaml (jaeger and zipkin receivers left out of the pipelines)`,
  };
};

// --- Consul ------------------------------------------------------------------------------------------
// hashicorp/consul-dataplane Dockerfile (release-default: gcr.io/distroless/base-debian11, glibc;
// /usr/local/bin/consul-dataplane, envoy and dumb-init; USER 100; ENTRYPOINT
// ["/usr/local/bin/dumb-init", "/usr/local/bin/consul-dataplane"]). dumb-init is left out: it only
// forwards signals to its child, so the ENTRYPOINT is the dataplane itself here. The injector's startupProbe
// execs /usr/local/bin/consul-dataplane -check-proxy-health.
const consulDataplane = (pattern: string): ImageSpec => ({
  pattern,
  base: 'distroless',
  files: { '/usr/local/bin/consul-dataplane': program('consul-dataplane') },
  entrypoint: ['/usr/local/bin/consul-dataplane'],
  user: 100,
  source: 'hashicorp/consul-dataplane Dockerfile (release-default stage, dumb-init left out)',
});
// hashicorp/consul-k8s control-plane/Dockerfile (release-default: alpine, /bin/consul-k8s-control-plane,
// USER 100, CMD /bin/${BIN_NAME}); the injector's consul-connect-inject-init runs it under /bin/sh -ec.
const consulControlPlane = (pattern: string): ImageSpec => ({
  pattern,
  base: 'distro',
  files: { '/bin/consul-k8s-control-plane': program('consul-k8s-control-plane') },
  cmd: ['/bin/sh', '-c', '/bin/consul-k8s-control-plane'],
  env: { PATH, BIN_NAME: 'consul-k8s-control-plane' },
  user: 100,
  source: 'hashicorp/consul-k8s control-plane/Dockerfile (release-default stage)',
});

export const SIDECAR_IMAGES: readonly ImageSpec[] = [
  cloudSqlProxy('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2*-alpine', 'distro'),
  cloudSqlProxy('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2*-bullseye', 'distro'),
  cloudSqlProxy('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2*-bookworm', 'distro'),
  cloudSqlProxy('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2*', 'distroless'),
  gceProxy('gcr.io/cloudsql-docker/gce-proxy:*-alpine', 'distro'),
  gceProxy('gcr.io/cloudsql-docker/gce-proxy:*-buster', 'distro'),
  gceProxy('gcr.io/cloudsql-docker/gce-proxy:*-bullseye', 'distro'),
  gceProxy('gcr.io/cloudsql-docker/gce-proxy:*', 'distroless'),
  istio('*/istio/proxyv2:*-distroless', 'distroless'),
  istio('istio/proxyv2:*-distroless', 'distroless'),
  istio('*/istio/proxyv2:*', 'distro'),
  istio('istio/proxyv2:*', 'distro'),
  linkerdBefore211('cr.l5d.io/linkerd/proxy:stable-2.10.*'),
  linkerd('cr.l5d.io/linkerd/proxy:*'),
  envoyDistroless('*envoyproxy/envoy:distroless-*'),
  envoyDistroless('*envoyproxy/envoy-distroless:*'),
  envoy('envoyproxy/envoy:*'),
  envoy('docker.io/envoyproxy/envoy:*'),
  vault('hashicorp/vault:*'),
  vault('docker.io/hashicorp/vault:*'),
  oauth2Proxy('quay.io/oauth2-proxy/oauth2-proxy:*-alpine', 'distro'),
  oauth2Proxy('quay.io/oauth2-proxy/oauth2-proxy:*', 'distroless'),
  otelcol('*otel/opentelemetry-collector-contrib:0.8*', 'otelcol-contrib', true),
  otelcol('*otel/opentelemetry-collector-contrib:*', 'otelcol-contrib'),
  otelcol('*otel/opentelemetry-collector:*', 'otelcol'),
  otelcol('*/opentelemetry-collector-releases/opentelemetry-collector-k8s:*', 'otelcol-k8s'),
  consulDataplane('*hashicorp/consul-dataplane:*'),
  consulControlPlane('*hashicorp/consul-k8s-control-plane:*'),
];
