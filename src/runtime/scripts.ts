/**
 * The scripts the static busybox runs, shipped beside this module (plain POSIX sh; busybox sh and dash
 * both run them): the readiness check and one function per check kind, the run folder's marks, then the
 * script itself.
 * Comment lines and blank lines stay in the repository: every pod spec that uses a script carries it.
 */
import { readFileSync } from 'node:fs';
import { CHECK_KINDS } from '../readiness/kinds.js';
import { BUSYBOX } from './helper.js';

/**
 * A script that runs by its path: its #! line names the helper's busybox (the kernel runs
 * `BUSYBOX sh SCRIPT ARG...`), so a command that runs it carries only its path and flags.
 */
function shellScript(file: string): string {
  const body = ['./check.sh', ...CHECK_KINDS.map((k) => `./checks/${k.kind}.sh`), './run-folder.sh', file]
    .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'))
    .join('\n')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  return [`#!${BUSYBOX} sh`, ...body].join('\n').concat('\n');
}

/** The postStart wait (protocol/wait-hook.ts writes its flags). */
export const WAIT_SCRIPT = shellScript('./wait.sh');
/** The entrypoint wrapper (protocol/wrapper.ts writes its flags). */
export const RUN_SCRIPT = shellScript('./run.sh');
