/**
 * The OpenTelemetry operator's sidecar injector, reduced to what the order depends on. Sources
 * (open-telemetry/opentelemetry-operator): pkg/sidecar/annotation.go (the pod's
 * sidecar.opentelemetry.io/inject, else its namespace's; "false" opts out; "true" picks the namespace's
 * collector in sidecar mode, any other value names one), pkg/sidecar/pod.go (add: the collector's
 * container, otc-container, appended to the pod's containers, with no hook and none of the app's
 * containers told to wait; its native form, under the operator's alpha feature gate
 * operator.sidecarcontainers.native, is a flag of the operator and not emulated), and the collector
 * container's `--config=env:OTEL_CONFIG`, its configuration in that variable.
 */
import { annotation, type Injector } from '../admission.js';

/** The OpenTelemetryCollector in sidecar mode that the namespace holds. */
export interface SidecarCollector {
  readonly name: string;
  readonly image: string;
  /** Its spec.config, as YAML. */
  readonly config: string;
}

const KEY = 'sidecar.opentelemetry.io/inject';

export function otelOperatorInjector(collector: SidecarCollector): Injector {
  return ({ pod, namespace }) => {
    const own = annotation(pod, KEY);
    const value = own === undefined || own === '' ? namespace.annotations[KEY] : own;
    if (value === undefined || value === '' || value.toLowerCase() === 'false') return;
    if (value.toLowerCase() !== 'true' && value !== collector.name) return;
    pod.spec.containers.push({
      name: 'otc-container',
      image: collector.image,
      args: ['--config=env:OTEL_CONFIG'],
      env: [{ name: 'OTEL_CONFIG', value: collector.config }],
    });
  };
}
