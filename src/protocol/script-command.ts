/**
 * The commands we write run one of our scripts under the static busybox:
 *   BUSYBOX sh -c SCRIPT NAME FLAG... [-- PROGRAM...]
 * NAME (the script's $0) says which script it is, so that a later run and explain recognise it
 * whatever version of the script it carries.
 */
import { BUSYBOX } from '../runtime/helper.js';

export function scriptCommand(script: string, name: string, flags: readonly string[]): string[] {
  return [BUSYBOX, 'sh', '-c', script, name, ...flags];
}

/** The arguments after NAME when `command` runs our script called `name`; undefined otherwise. */
export function scriptArgs(command: readonly string[] | undefined | null, name: string): readonly string[] | undefined {
  if (!command || command[0] !== BUSYBOX || command[1] !== 'sh' || command[2] !== '-c' || command[4] !== name) return undefined;
  return command.slice(5);
}
