/**
 * Pods that an injector already ordered, as it writes them (test/injected/*.yaml, each with its source in
 * its header): shared by test/presets.test.ts (the function leaves them as they are) and
 * test/bench-real-world.test.ts (they run in order on the bench kubelet).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { ROOT } from '../helpers.js';

export interface InjectedFixture {
  /** The file's name: `linkerd-2.19.yaml`. */
  readonly file: string;
  /** The preset whose injector wrote it: the file name up to its first `-`. */
  readonly preset: string;
  readonly items: Record<string, unknown>[];
}

const DIR = join(ROOT, 'test', 'injected');

export const INJECTED: readonly InjectedFixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((file) => ({
    file,
    preset: file.split('-')[0]!,
    items: jsYaml.loadAll(readFileSync(join(DIR, file), 'utf8')) as Record<string, unknown>[],
  }));
