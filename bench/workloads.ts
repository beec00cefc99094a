/**
 * The workloads the bench and the generated-bytes measure are made of: one home, so that the timings
 * and the byte counts are about the same Deployments.
 */

/**
 * A Deployment as people write them (comments, labels, probes, quoted strings), whose app waits for
 * `sidecars` Cloud SQL proxies, `proxy-0` … Every container has a command, so that the entrypoint
 * strategy can wrap it without pulling its image.
 */
export function deployment(n: number, sidecars: number): string {
  const proxies = Array.from(
    { length: sidecars },
    (_, i) => `        # talks to Cloud SQL instance ${i} for the app
        - name: proxy-${i}
          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0
          command: [/cloud-sql-proxy]
          args:
          - --health-check
          - --http-address=0.0.0.0
          - --http-port=${9090 + i}
          readinessProbe:
            httpGet:
              path: /readiness
              port: ${9090 + i}
`,
  );
  return `- # Deployment ${n} of the shop
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: shop-${n} # service ${n}
    namespace: shop
    labels:
      app.kubernetes.io/name: shop-${n}
      app.kubernetes.io/part-of: shop
    annotations:
      internal.config.kubernetes.io/path: 'deploy/shop-${n}.yaml'
      internal.config.kubernetes.io/index: '0'
  spec:
    replicas: 3
    selector:
      matchLabels: {app.kubernetes.io/name: shop-${n}}
    template:
      metadata:
        labels:
          app.kubernetes.io/name: shop-${n}
      spec:
        containers:
        - name: app
          image: "ghcr.io/shop/app:1.${n % 50}.0"
          command: [/app]
          args: ["--port=8080", '--log-level=info']
          ports:
          - containerPort: 8080
          env:
          - name: FEATURE_FLAG
            value: "yes"
${proxies.join('')}`;
}

/** A ResourceList of these items (each already a `- ` entry) and a functionConfig (its lines, or ''). */
export function resourceList(items: readonly string[], functionConfig: string): string {
  return `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items.join('')}${functionConfig}`;
}

/** A ContainerOrder making the proxies sidecars in the workloads `selector` picks, with its other `spec` lines. */
export function containerOrder(selector: string, sidecars: number, spec: readonly string[] = []): string {
  const names = Array.from({ length: sidecars }, (_, i) => `    - name: proxy-${i}\n`).join('');
  return `functionConfig:
  apiVersion: order-containers.dev/v1alpha1
  kind: ContainerOrder
  metadata:
    name: bench
  spec:
    selector:
      ${selector}
${spec.map((line) => `    ${line}\n`).join('')}    sidecars:
${names}`;
}
