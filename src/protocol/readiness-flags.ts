/** The readiness check as flags, shared by the wait hook and the wrapper (runtime/check.sh reads them). */
import { checkArgs, checkKindOf } from '../readiness/kinds.js';
import { DEFAULT_PROBE_TIMEOUT_SECONDS, type Readiness } from '../readiness/readiness.js';
import { seconds, type FlagInput, type FlagValues } from './flags.js';

export const READINESS_FLAGS = { ready: 'value', attempt: 'value', 'check-arg': 'values' } as const;

/** `--attempt` is left out when it is kubelet's default, which runtime/check.sh assumes without it. */
export function readinessFlags(readiness: Readiness): FlagInput<typeof READINESS_FLAGS> {
  return {
    ready: readiness.check.kind,
    ...(readiness.attemptSeconds !== DEFAULT_PROBE_TIMEOUT_SECONDS ? { attempt: String(readiness.attemptSeconds) } : {}),
    'check-arg': checkArgs(readiness.check),
  };
}

/** The check the flags give; 'absent' when they give none; undefined when they are not ours. */
export function readinessFromFlags(values: FlagValues<typeof READINESS_FLAGS>): Readiness | 'absent' | undefined {
  const [kindName] = values.ready;
  if (kindName === undefined) return values.attempt.length + values['check-arg'].length === 0 ? 'absent' : undefined;
  const check = checkKindOf(kindName)?.fromArgs(values['check-arg']);
  const attemptSeconds = values.attempt.length === 0 ? DEFAULT_PROBE_TIMEOUT_SECONDS : seconds(values.attempt[0]);
  return check === undefined || attemptSeconds === undefined ? undefined : { check, attemptSeconds };
}
