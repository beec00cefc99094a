/**
 * Issue 17: planning must be linear in the pod's size. Two pods far larger than any real one, each a
 * single Deployment whose annotations declare the order: a chain of containers, each waiting for the
 * one before it to be Ready, and a pod where every main container waits for every sidecar. The test
 * suite plans pods of the same shape (no stack overflow, the expected order); the bench times these.
 */
import { median } from './median.js';

/** One container with a readiness probe, so that a Ready wait on it can be compiled. */
function container(name: string, port: number): string {
  return `        - name: ${name}
          image: ghcr.io/shop/${name}:1
          command: [/${name}]
          readinessProbe:
            httpGet: {path: /ready, port: ${port}}
`;
}

function deploymentWith(annotations: Readonly<Record<string, string>>, containers: number): string {
  const lines = Object.entries(annotations).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}\n`);
  const all = Array.from({ length: containers }, (_, i) => container(`c${i}`, 8000 + (i % 1000)));
  return `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: big
    annotations:
${lines.join('')}  spec:
    selector:
      matchLabels: {app: big}
    template:
      metadata:
        labels: {app: big}
      spec:
        containers:
${all.join('')}`;
}

/** c0 > c1 > … > c(n-1): each container waits for the one before it to be Ready. */
function chainPod(containers: number): string {
  const order = Array.from({ length: containers }, (_, i) => `c${i}`).join(' > ');
  return deploymentWith({ 'order-containers.dev/order': order }, containers);
}

/** Every `stride`-th container is a sidecar, `sidecars` of them: each other container waits for each one. */
function sidecarsPod(sidecars: number, containers: number): string {
  const stride = Math.floor(containers / sidecars);
  const names = Array.from({ length: sidecars }, (_, i) => `c${i * stride}`).join(',');
  return deploymentWith({ 'order-containers.dev/sidecars': names }, containers);
}

/** The same Deployment as the ones above with no order declared: the pass-through baseline. */
function plainPod(containers: number): string {
  return deploymentWith({ 'example.com/none': 'x' }, containers);
}

/** The big pods against the pass-through of a pod as big, with the median ms of each, as ratios. */
export function benchBigPods(
  dir: string,
  runs: number,
  time: (input: string) => number,
  write: (path: string, text: string) => void,
): void {
  const cases = [
    { label: 'chain of 5,000 containers', input: chainPod(5000), baseline: plainPod(5000) },
    { label: '200 sidecars x 1,000 containers', input: sidecarsPod(200, 1000), baseline: plainPod(1000) },
  ];
  console.log(`\nbig pods (issue 17: planning linear in the pod), median of ${runs} runs`);
  console.log(`${'case'.padEnd(34)} ${'ms'.padStart(8)} ${'pass-through ms'.padStart(16)} ${'ratio'.padStart(7)}`);
  cases.forEach((c, i) => {
    const input = `${dir}/big-pod-${i}.yaml`;
    const baseline = `${dir}/big-pod-${i}-plain.yaml`;
    write(input, c.input);
    write(baseline, c.baseline);
    const ms = median(Array.from({ length: runs }, () => time(input)));
    const base = median(Array.from({ length: runs }, () => time(baseline)));
    console.log(`${c.label.padEnd(34)} ${ms.toFixed(0).padStart(8)} ${base.toFixed(0).padStart(16)} ${(ms / base).toFixed(2).padStart(7)}`);
  });
}
