/**
 * What the examples' own images hold beyond the generic application: files their manifests expect to
 * find in the image (the examples are illustrations: their images are built with them).
 */
import type { ImageSpec } from './image-spec.js';
import { globMatches } from './images.js';
import { SIDECAR_IMAGES } from './images-sidecars.js';

/** A sidecar image of the registry with files of the example's own added, as a Dockerfile FROM it would. */
function from(ref: string, files: ImageSpec['files'], source: string): ImageSpec {
  const base = SIDECAR_IMAGES.find((i) => globMatches(i.pattern, ref));
  if (!base) throw new Error(`no registry image matches ${ref}`);
  return { ...base, pattern: ref, files: { ...base.files, ...files }, source: `${source}, FROM ${base.source}` };
}

export const EXAMPLE_IMAGES: readonly ImageSpec[] = [
  // examples/annotations: vault-agent runs `agent -config=/vault/config/agent.hcl`; the agent needs an
  // auto_auth block to run (command/agent.go: "No auto_auth or cache block found in config file").
  from(
    'hashicorp/vault:1.18.1',
    {
      '/vault/config/agent.hcl': {
        text: 'auto_auth {\n  method "kubernetes" {\n    config = { role = "ledger" }\n  }\n  sink "file" {\n    config = { path = "/tmp/vault-token" }\n  }\n}\n',
      },
    },
    'examples/annotations: the agent config its manifest names',
  ),
  // examples/entrypoint-steps: the config's `entrypoints` entry says what the publisher image runs.
  {
    pattern: 'ghcr.io/example/publisher:*',
    base: 'distro',
    files: { '/usr/local/bin/publish': { program: 'app' } },
    entrypoint: ['/usr/local/bin/publish'],
    cmd: ['--registry=ghcr.io/example'],
    source: 'examples/entrypoint-steps/container-order.yaml (spec.entrypoints)',
  },
];
