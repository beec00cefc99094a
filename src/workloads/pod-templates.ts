/**
 * Pod templates found in items, decoded to the shapes the planner reads.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type * as t from 'io-ts';
import { problemsOf } from '../codec/io-ts.js';
import { codecs } from '../codec/io-ts-package.js';
import { error, type Diagnostic } from '../diagnostic.js';
import { valueAt, type Path } from '../resource-list/edit.js';
import type { PlainObject } from '../resource-list/read.js';
import { podTemplatePathOf, UNLISTED_TEMPLATE_PATH, type WorkloadKind } from './kinds.js';

const LOCAL_CONFIG_ANNOTATION = 'config.kubernetes.io/local-config';

/** A pod template found in an item: where it is, and its content as Kubernetes types. */
export interface PodTemplateRef {
  /** From the item root to the template (the object with metadata and spec); empty for a Pod. */
  readonly path: Path;
  readonly template: V1PodTemplateSpec & { spec: NonNullable<V1PodTemplateSpec['spec']> };
}

/**
 * The fields the planner, the presets and the mechanisms read, with the types the API server gives
 * them (k8s.io/api core/v1): a value of another type (`command: "/app"`, `lifecycle: "x"`, `ports: 5`)
 * is a problem naming the field, never a guess or a crash. Only types are checked, not which fields are
 * required, so a partial manifest (a kustomize base) still passes; every other field passes through untouched.
 */
const podTemplate = codecs((t) => {
  /** `codec`, or null (what a manifest writes as `field:` or `field: null`), its problems its own. */
  const optional = <C extends t.Mixed>(codec: C) =>
    new t.Type<t.TypeOf<C> | null, unknown, unknown>(
      codec.name,
      (u): u is t.TypeOf<C> | null => u === null || codec.is(u),
      (u, c) => (u === null ? t.success(null) : codec.validate(u, c)),
      t.identity,
    );
  const StringMap = t.record(t.string, t.string, 'map of strings');
  const StringList = t.array(t.string, 'list of strings');
  /**
   * A whole number that fits the field's Go type: the API server decodes JSON into int32 and int64 and
   * rejects `8080.5`. Numbers are read as it reads them (src/yaml/go-numbers.ts), so `05432` is 2842 here too.
   */
  const Int32 = t.refinement(t.number, (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31, 'int32');
  const Int64 = t.refinement(t.number, Number.isSafeInteger, 'int64');
  const IntOrString = t.union([Int32, t.string], 'port number or name');
  const Exec = t.partial({ command: optional(StringList) }, 'ExecAction');
  const HttpGet = t.partial(
    {
      port: IntOrString,
      path: t.string,
      host: t.string,
      scheme: t.string,
      httpHeaders: optional(t.array(t.type({ name: t.string, value: t.string }, 'HTTPHeader'), 'list of HTTPHeader')),
    },
    'HTTPGetAction',
  );
  const TcpSocket = t.partial({ port: IntOrString, host: t.string }, 'TCPSocketAction');
  const Grpc = t.partial({ port: Int32, service: optional(t.string) }, 'GRPCAction');
  const Handlers = { exec: optional(Exec), httpGet: optional(HttpGet), tcpSocket: optional(TcpSocket) };
  const Probe = t.partial(
    {
      ...Handlers,
      grpc: optional(Grpc),
      initialDelaySeconds: Int32,
      timeoutSeconds: Int32,
      periodSeconds: Int32,
      successThreshold: Int32,
      failureThreshold: Int32,
    },
    'Probe',
  );
  const Handler = t.partial(Handlers, 'LifecycleHandler');
  const Lifecycle = t.partial({ postStart: optional(Handler), preStop: optional(Handler) }, 'Lifecycle');
  const ContainerPort = t.partial({ containerPort: Int32, hostPort: Int32, name: t.string, protocol: t.string }, 'ContainerPort');
  const EnvVar = t.intersection(
    [t.type({ name: t.string }), t.partial({ value: optional(t.string), valueFrom: optional(t.UnknownRecord) })],
    'EnvVar',
  );
  const Source = optional(t.partial({ name: t.string, optional: optional(t.boolean) }));
  const EnvFrom = t.partial({ prefix: t.string, configMapRef: Source, secretRef: Source }, 'EnvFromSource');
  const VolumeMount = t.partial(
    { name: t.string, mountPath: t.string, readOnly: t.boolean, subPath: t.string, subPathExpr: t.string },
    'VolumeMount',
  );
  const list = <C extends t.Mixed>(codec: C) => optional(t.array(codec, `list of ${codec.name}`));
  const Container = t.intersection(
    [
      t.type({ name: t.string }),
      t.partial({
        image: t.string,
        command: optional(StringList),
        args: optional(StringList),
        ports: list(ContainerPort),
        env: list(EnvVar),
        envFrom: list(EnvFrom),
        readinessProbe: optional(Probe),
        livenessProbe: optional(Probe),
        startupProbe: optional(Probe),
        lifecycle: optional(Lifecycle),
        restartPolicy: t.string,
        volumeMounts: list(VolumeMount),
        resizePolicy: list(t.UnknownRecord),
        resources: optional(t.UnknownRecord),
        securityContext: optional(t.UnknownRecord),
      }),
    ],
    'Container',
  );
  /** What the planner reads must have these shapes; everything else passes through untouched. */
  return t.type(
    {
      metadata: t.union([
        t.undefined,
        t.null,
        t.partial({ annotations: t.union([t.null, StringMap]), labels: t.union([t.null, StringMap]) }),
      ]),
      spec: t.intersection([
        t.type({ containers: t.array(Container, 'list of containers') }),
        t.partial({
          initContainers: t.union([t.null, t.array(Container, 'list of containers')]),
          volumes: list(t.intersection([t.type({ name: t.string }), t.UnknownRecord], 'Volume')),
          restartPolicy: t.string,
          terminationGracePeriodSeconds: Int64,
          os: optional(t.partial({ name: t.string }, 'PodOS')),
          securityContext: optional(t.partial({ runAsUser: Int64 }, 'PodSecurityContext')),
        }),
      ]),
    },
    'PodTemplateSpec',
  );
});

/**
 * The template codec's `is`, which walks the same codecs as decode without building its results and error
 * contexts, four times faster: decode runs only when this fails, for the messages. t.type's `is` wants
 * every key present, where decode takes a missing key as undefined: a template without `metadata` (a
 * Job's, often) is checked with the key there.
 */
function isPodTemplate(raw: unknown): boolean {
  return podTemplate().is(typeof raw === 'object' && raw !== null && !('metadata' in raw) ? { ...raw, metadata: undefined } : raw);
}

function isLocalConfig(item: PlainObject): boolean {
  const annotations = (item.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
  return annotations?.[LOCAL_CONFIG_ANNOTATION] === 'true';
}

/**
 * True when the item holds what looks like a pod template (`spec.template.spec.containers`, a list) but
 * is of no kind known here, built in or configured: the hint, when no workload matched, that the config's
 * workloadKinds may be missing it.
 */
export function holdsUnlistedPodTemplate(item: PlainObject, custom: readonly WorkloadKind[]): boolean {
  if (podTemplatePathOf(item.apiVersion, item.kind, custom) !== undefined) return false;
  return Array.isArray(valueAt(item, [...UNLISTED_TEMPLATE_PATH, 'spec', 'containers']));
}

/**
 * The pod template of one item, if it is a workload this function may change: local-config resources
 * are never mutated. A template not shaped as Kubernetes requires gives problems (fields relative to
 * the item) instead.
 */
export function podTemplateOf(
  item: PlainObject,
  custom: readonly WorkloadKind[],
): PodTemplateRef | { readonly problems: readonly Diagnostic[] } | undefined {
  const path = podTemplatePathOf(item.apiVersion, item.kind, custom);
  if (path === undefined || isLocalConfig(item)) return undefined;
  const raw = valueAt(item, path);
  // A workload without a template (a partial manifest) has nothing to order.
  if (raw === undefined || raw === null) return undefined;
  const decoded = isPodTemplate(raw) ? undefined : podTemplate().decode(raw);
  if (decoded?._tag === 'Left') {
    const problems = problemsOf(decoded.left).map((p) => {
      const field = [...path, p.path].filter((s) => s !== '').join('.');
      return error(`pod template field ${field}: ${p.message}`, field);
    });
    return { problems };
  }
  return { path, template: raw as PodTemplateRef['template'] };
}
