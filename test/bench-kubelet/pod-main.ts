/**
 * A bench pod's kubelet process: run as
 *   unshare --net --uts --mount --propagation private node pod-main.js JOB.json
 * it brings up the pod's network namespace (loopback, and the pod IP on it: this kernel has no dummy
 * interfaces, and any 127/8 address other than 127.0.0.1 keeps a program bound to 127.0.0.1 out of the
 * probes' reach, as on a node), names the pod's UTS namespace as the runtime does with the hostname
 * kubelet gives the sandbox (kuberuntime_sandbox.go generatePodSandboxConfig: the pod's host name, its
 * FQDN with setHostnameAsFQDN), runs the pod and prints its report as JSON.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runPod, type PodJob } from './pod.js';
import { podHostname } from './runtime.js';

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as PodJob;
const { hostname, domain } = podHostname(job.podName, job.namespace, job.spec.hostname, job.spec.subdomain);
for (const argv of [
  ['hostname', job.spec.setHostnameAsFQDN && domain !== undefined ? `${hostname}.${domain}` : hostname],
  ['ip', 'link', 'set', 'lo', 'up'],
  ['ip', 'addr', 'add', `${job.podIP}/32`, 'dev', 'lo'],
]) {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`${argv.join(' ')}: ${r.stderr}`);
    process.exit(2);
  }
}
const report = await runPod(job);
// exit only once the report is written: a pipe takes it asynchronously.
process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
