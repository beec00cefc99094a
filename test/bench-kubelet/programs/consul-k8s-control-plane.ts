/**
 * consul-k8s-control-plane (/bin/consul-k8s-control-plane in hashicorp/consul-k8s-control-plane) as the
 * Consul injector's consul-connect-inject-init runs it: `connect-init`. Source (hashicorp/consul-k8s):
 * control-plane/subcommand/connect-init/command.go (Go `flag` set, ContinueOnError: a bad flag returns 1;
 * validateFlags: -pod-name, -pod-namespace and -consul-node-name must be set; the proxy's service ID,
 * found in Consul's catalog, written to -proxy-id-file, default /consul/connect-inject/proxyid, mode
 * 0444, for consul-dataplane to read; "Connect initialization completed", exit 0). There is no Consul
 * server: the registration is found at once and its ID is a placeholder. The other subcommands are not
 * emulated.
 */
import { writeFileSync } from 'node:fs';
import { exit, start } from './lib.js';
import { parseGoFlags, type FlagDef } from './flags.js';

const CONNECT_INIT_FLAGS: readonly FlagDef[] = [
  { name: 'pod-name', kind: 'string', def: '' },
  { name: 'pod-namespace', kind: 'string', def: '' },
  { name: 'consul-node-name', kind: 'string', def: process.env.CONSUL_NODE_NAME ?? '' },
  { name: 'service-account-name', kind: 'string', def: '' },
  { name: 'service-name', kind: 'string', def: '' },
  { name: 'proxy-id-file', kind: 'string', def: '/consul/connect-inject/proxyid' },
  { name: 'multiport', kind: 'bool' },
  { name: 'gateway-kind', kind: 'string', def: '' },
  { name: 'redirect-traffic-config', kind: 'string', def: '' },
  { name: 'log-level', kind: 'string', def: 'info' },
  { name: 'log-json', kind: 'bool' },
  // flags.ConsulFlags, merged into the command's set: the one the injector's template writes.
  { name: 'consul-api-timeout', kind: 'duration' },
];

const [sub, ...rest] = process.argv.slice(2);
if (sub !== 'connect-init') {
  process.stderr.write(`consul-k8s-control-plane: ${sub ?? '(no subcommand)'} is not emulated on the bench\n`);
  process.exit(1);
}
start();
const parsed = parseGoFlags(rest, CONNECT_INIT_FLAGS);
if (parsed.error !== undefined) {
  process.stderr.write(`${parsed.error}\n`);
  exit(1);
}
const value = (name: string): string => String(parsed.values.get(name) ?? '');
for (const required of ['pod-name', 'pod-namespace', 'consul-node-name'])
  if (value(required) === '') {
    process.stderr.write(`-${required} must be set\n`);
    exit(1);
  }
writeFileSync(value('proxy-id-file'), `${value('pod-name')}-sidecar-proxy`, { mode: 0o444 });
process.stdout.write('[INFO]  Connect initialization completed\n');
exit(0);
