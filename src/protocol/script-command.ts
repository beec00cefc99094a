/**
 * The commands we write run one of our scripts, which the helper wrote into its volume, under the
 * static busybox:
 *   BUSYBOX sh SCRIPT FLAG... [-- PROGRAM...]
 * SCRIPT's path says which script it is, so that a later run and explain recognise the command.
 */
import { BUSYBOX } from '../runtime/helper.js';

export function scriptCommand(script: string, flags: readonly string[], busybox: string = BUSYBOX): string[] {
  return [busybox, 'sh', script, ...flags];
}

/** The arguments after SCRIPT when `command` runs our script at `script`; undefined otherwise. */
export function scriptArgs(command: readonly string[] | undefined | null, script: string): readonly string[] | undefined {
  if (!command || command[0] !== BUSYBOX || command[1] !== 'sh' || command[2] !== script) return undefined;
  return command.slice(3);
}
