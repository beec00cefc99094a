/**
 * A bench pod's kubelet process: run as
 *   unshare --net --mount --propagation private node pod-main.js JOB.json
 * it brings up the pod's network namespace (loopback, and the pod IP on it: this kernel has no dummy
 * interfaces, and any 127/8 address other than 127.0.0.1 keeps a program bound to 127.0.0.1 out of the
 * probes' reach, as on a node), runs the pod and prints its report as JSON.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runPod, type PodJob } from './pod.js';

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as PodJob;
for (const argv of [
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
