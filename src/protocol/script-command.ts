/**
 * The commands we write run one of our scripts, which the helper wrote into its volume with a #! line
 * that names the static busybox:
 *   SCRIPT FLAG... [-- PROGRAM...]
 * SCRIPT's path says which script it is, so that a later run and explain recognise the command.
 */
export function scriptCommand(script: string, flags: readonly string[]): string[] {
  return [script, ...flags];
}

/** The arguments after SCRIPT when `command` runs our script at `script`; undefined otherwise. */
export function scriptArgs(command: readonly string[] | undefined | null, script: string): readonly string[] | undefined {
  if (!command || command[0] !== script) return undefined;
  return command.slice(1);
}
