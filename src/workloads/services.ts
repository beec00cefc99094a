/**
 * The Services in the list that target a container port by name. Before 1.33 the controllers that
 * turn such a name into a port number look for it in `spec.containers` only
 * (mechanisms/native/native.ts says what that means for a sidecar moved out of them).
 */
import type { PlainObject } from '../resource-list/read.js';
import { stringMap } from './selector.js';

/** One port of a Service whose `targetPort` is a name: `targetPort: http`. */
export interface NamedTargetPort {
  readonly service: string;
  readonly namespace?: string;
  /** `spec.selector`: the pods whose endpoints the controllers keep for it. */
  readonly selector: Readonly<Record<string, string>>;
  readonly targetPort: string;
}

/**
 * Every named `targetPort` of the Services among `values`. A Service without a selector is left out:
 * no controller keeps its endpoints, so no controller looks its names up.
 */
export function namedTargetPortsIn(values: Iterable<PlainObject>): NamedTargetPort[] {
  const found: NamedTargetPort[] = [];
  for (const value of values) {
    if (value.apiVersion !== 'v1' || value.kind !== 'Service') continue;
    const metadata = stringMap(value.metadata) as Record<string, unknown>;
    const spec = stringMap(value.spec) as Record<string, unknown>;
    const selector = stringMap(spec.selector);
    if (typeof metadata.name !== 'string' || Object.keys(selector).length === 0 || !Array.isArray(spec.ports)) continue;
    for (const port of spec.ports as unknown[]) {
      const targetPort = (stringMap(port) as Record<string, unknown>).targetPort;
      if (typeof targetPort !== 'string') continue;
      found.push({
        service: metadata.name,
        ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
        selector,
        targetPort,
      });
    }
  }
  return found;
}

/**
 * The named target ports of the Services that select a pod template's labels in its namespace, as
 * port name → Service name. A Service or workload that names no namespace may be applied to any, so it
 * is taken to share the other's.
 */
export function targetPortsSelecting(
  ports: readonly NamedTargetPort[],
  namespace: string | undefined,
  labels: Readonly<Record<string, string>>,
): ReadonlyMap<string, string> {
  const selecting = new Map<string, string>();
  for (const p of ports) {
    if (p.namespace !== undefined && namespace !== undefined && p.namespace !== namespace) continue;
    if (!Object.entries(p.selector).every(([k, v]) => labels[k] === v)) continue;
    if (!selecting.has(p.targetPort)) selecting.set(p.targetPort, p.service);
  }
  return selecting;
}
