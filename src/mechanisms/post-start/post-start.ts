/**
 * postStart gates (Istio's holdApplicationUntilProxyStarts), for any Kubernetes version: sidecars stay
 * main containers, moved first, each gated by a blocking postStart hook, so kubelet starts the next
 * container only once it is ready. Stopping sidecars last and letting a Job complete cannot be
 * expressed: warnings say so, and the Job's one blocks, for `auto` to look further.
 */
import type { Diagnostic } from '../../diagnostic.js';
import { decodeWaitHook } from '../../protocol/wait-hook.js';
import { podsOf, runsToCompletion } from '../../workloads/pods.js';
import { kubeletOrder } from '../kubelet-order.js';
import type { Mechanism } from '../mechanism.js';
import { initContainersBeforeSidecars, unsupportedNativeSidecars } from '../native/native.js';

export const postStart = {
  name: 'postStart',
  available: () => true,
  compile(pod) {
    const unsupported = unsupportedNativeSidecars(pod);
    if (unsupported.length > 0) return { edits: [], steps: [], diagnostics: unsupported };
    const order = kubeletOrder(pod, false);
    const { outliving } = pod;
    const sidecars = order.mains.filter((n) => outliving.has(n));
    if (sidecars.length === 0) return order;
    const warnings: Diagnostic[] = [
      ...initContainersBeforeSidecars(pod),
      {
        severity: 'warning',
        message: `postStart cannot make ${sidecars.join(', ')} stop after the other containers: kubelet stops main containers together (native sidecars, Kubernetes 1.29+, can)`,
      },
    ];
    if (runsToCompletion(pod.podSpec) !== undefined) {
      warnings.push({
        severity: 'warning',
        message: `${podsOf(pod.workloadKind)} will not complete while ${sidecars.join(', ')} ${sidecars.length === 1 ? 'keeps' : 'keep'} running: postStart cannot stop a sidecar when the work is done`,
        blocking: true,
      });
    }
    return { ...order, diagnostics: [...order.diagnostics, ...warnings] };
  },
  recognise(container, list) {
    const hook = container.lifecycle?.postStart?.exec?.command;
    if (list !== 'containers' || !decodeWaitHook(hook)) return undefined;
    return { phase: 'main', gate: `ready, timeout ${decodeWaitHook(hook)!.timeoutSeconds}s`, how: 'postStart wait', holdsNext: true };
  },
  injection: 'postStart',
  stopsJobSidecars: false,
} as const satisfies Mechanism<'postStart'>;
