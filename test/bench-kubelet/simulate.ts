/**
 * npm run --silent simulate -- -i FILE|DIR [-f CONFIG | -d KEY=VALUE ...] [--as-is] [--seconds N] [--delete-at N] [--json]
 *
 * Runs the built function on a manifest (a ResourceList, a YAML stream, or a kpt package folder whose
 * Kptfile names the config), then every pod template of the result on the bench kubelet, and prints a
 * timeline per pod (or, with --json, one JSON document). Exit 0 when it ran, whatever the pods did.
 */
import { parseArgs } from 'node:util';
import { benchDir, benchMissing, cleanUp, podsOf, runPods } from './bench.js';
import { orderConfigOf } from './declared.js';
import { configMapConfig, loadAll, readInput, render } from './manifests.js';
import type { PodReport } from './pod-types.js';

const USAGE =
  'usage: npm run --silent simulate -- -i FILE|DIR [-f CONFIG | -d KEY=VALUE ...] [--as-is] [--seconds N] [--delete-at N] [--json]';

function fail(message: string, code = 2): never {
  process.stderr.write(`simulate: ${message}\n`);
  process.exit(code);
}

function timeline(report: PodReport, scale: number): string {
  const lines = [
    `${report.workload}: phase ${report.phase}, ${report.ready ? 'Ready' : 'not Ready'} (back-off ×${scale}, time in ms from the pod's start)`,
  ];
  for (const e of report.events) {
    const code = e.code === undefined ? '' : ` ${e.code}`;
    lines.push(`${String(e.t).padStart(7)}  ${e.container.padEnd(28)} ${e.event}${code}${e.detail ? `  ${e.detail}` : ''}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      input: { type: 'string', short: 'i' },
      'function-config': { type: 'string', short: 'f' },
      d: { type: 'string', multiple: true },
      'as-is': { type: 'boolean' },
      seconds: { type: 'string' },
      'delete-at': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.input) fail(USAGE);
  const missing = benchMissing();
  if (missing) fail(missing);
  const seconds = Number(values.seconds ?? 30);
  const deleteAt = values['delete-at'] === undefined ? undefined : Number(values['delete-at']);
  if (!(seconds > 0) || (deleteAt !== undefined && !(deleteAt >= 0))) fail(`--seconds and --delete-at take a number of seconds\n${USAGE}`);

  const input = readInput(values.input);
  let functionConfig = input.functionConfig;
  if (values['function-config']) functionConfig = loadAll(values['function-config'])[0];
  if (values.d?.length) {
    const data = Object.fromEntries(
      values.d.map((kv) => {
        const at = kv.indexOf('=');
        if (at < 1) fail(`-d takes KEY=VALUE, not ${JSON.stringify(kv)}`);
        return [kv.slice(0, at), kv.slice(at + 1)];
      }),
    );
    functionConfig = configMapConfig(data);
  }

  let output = input.items;
  if (!values['as-is']) {
    const r = render(input.items, functionConfig);
    for (const res of r.results)
      if (res.severity === 'error' || res.severity === undefined) process.stderr.write(`function: error: ${res.message}\n`);
    if (r.status !== 0) fail(`the function refused this manifest (exit ${r.status}); nothing to run\n${r.stderr}`, 1);
    output = r.items;
  }

  const dir = benchDir();
  try {
    const pods = podsOf(output, input.items, dir, {
      config: orderConfigOf(functionConfig as Parameters<typeof orderConfigOf>[0]),
      runForMs: seconds * 1000,
      ...(deleteAt === undefined ? {} : { deleteAtMs: deleteAt * 1000 }),
    });
    if (pods.length === 0) {
      process.stderr.write('simulate: the manifest has no pod template\n');
      process.exitCode = 1;
      return;
    }
    const reports = await runPods(pods);
    if (values.json) process.stdout.write(`${JSON.stringify({ pods: reports })}\n`);
    else process.stdout.write(`${reports.map((r, i) => timeline(r, pods[i]!.job.backOffScale)).join('\n\n')}\n`);
  } finally {
    cleanUp(dir);
  }
}

await main();
