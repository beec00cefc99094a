/**
 * The Vault agent injector (hashicorp/vault-k8s), reduced to what the order depends on. Sources:
 * agent-inject/agent/agent.go (ShouldInject: vault.hashicorp.com/agent-inject read with strconv.ParseBool,
 * and not once the status annotation says "injected"; Patch: with pre-populate on, the default,
 * vault-agent-init appended to the init containers, or, with agent-init-first, put before them all; the
 * vault-agent sidecar appended to the containers unless agent-pre-populate-only; the secrets volume
 * mounted in every container), agent-inject/agent/annotations.go (agent-init-first, agent-pre-populate,
 * agent-pre-populate-only: booleans, default false, true, false; agent-inject-secret-NAME renders
 * /vault/secrets/NAME), container_init_sidecar.go and container_sidecar.go (both containers run the
 * agent's image with command ["/bin/sh", "-ec"] and DefaultContainerArg, which decodes VAULT_CONFIG into
 * the config file and runs `vault agent -config=` it; no probes, no hooks unless revoke-on-shutdown),
 * config.go (the init container's config has exit_after_auth: it exits once the secrets are written; the
 * sidecar's has not). The config file is written under /home/vault, as current releases do (the
 * earliest wrote /tmp/config.json, which the bench's images lack).
 */
import type { V1Container } from '@kubernetes/client-node';
import { annotation, insertAt, parseGoBool, type AdmittedPod, type Injector } from '../admission.js';

const PREFIX = 'vault.hashicorp.com/';
const SECRETS = { name: 'vault-secrets', mountPath: '/vault/secrets' };
const CONFIG_FILE = '/home/vault/config.json';

function setting(pod: AdmittedPod, key: string, fallback: boolean): boolean {
  return parseGoBool(annotation(pod, `${PREFIX}${key}`)) ?? fallback;
}

/** The agent's config as config.go writes it, with the keys the agent's start and exit depend on. */
function config(pod: AdmittedPod, init: boolean): string {
  const secrets = Object.keys(pod.metadata.annotations ?? {})
    .filter((k) => k.startsWith(`${PREFIX}agent-inject-secret-`))
    .map((k) => k.slice(`${PREFIX}agent-inject-secret-`.length));
  const json = {
    auto_auth: {
      method: { type: 'kubernetes', mount_path: 'auth/kubernetes', config: { role: annotation(pod, `${PREFIX}role`) ?? '' } },
      sink: [{ type: 'file', config: { path: '/home/vault/.vault-token' } }],
    },
    exit_after_auth: init,
    pid_file: '/home/vault/.pid',
    vault: { address: 'https://vault.vault.svc:8200' },
    template: secrets.map((name) => ({ destination: `${SECRETS.mountPath}/${name}`, contents: '{{ with secret "x" }}{{ end }}' })),
  };
  return Buffer.from(JSON.stringify(json)).toString('base64');
}

function agent(pod: AdmittedPod, init: boolean): V1Container {
  return {
    name: init ? 'vault-agent-init' : 'vault-agent',
    image: 'hashicorp/vault:1.18.1',
    command: ['/bin/sh', '-ec'],
    args: [`echo \${VAULT_CONFIG?} | base64 -d > ${CONFIG_FILE} && vault agent -config=${CONFIG_FILE}`],
    env: [{ name: 'VAULT_CONFIG', value: config(pod, init) }],
    volumeMounts: [{ ...SECRETS }],
  };
}

export function vaultInjector(): Injector {
  return ({ pod }) => {
    if (!setting(pod, 'agent-inject', false) || annotation(pod, `${PREFIX}agent-inject-status`) === 'injected') return;
    const inits = (pod.spec.initContainers ??= []);
    for (const c of [...inits, ...pod.spec.containers]) (c.volumeMounts ??= []).push({ ...SECRETS });
    (pod.spec.volumes ??= []).push({ name: SECRETS.name, emptyDir: { medium: 'Memory' } });
    if (setting(pod, 'agent-pre-populate', true)) insertAt(inits, setting(pod, 'agent-init-first', false) ? 0 : '-', agent(pod, true));
    if (!setting(pod, 'agent-pre-populate-only', false)) insertAt(pod.spec.containers, '-', agent(pod, false));
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [`${PREFIX}agent-inject-status`]: 'injected' };
  };
}
