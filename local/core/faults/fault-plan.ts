/**
 * What the local runtime breaks on purpose, for testing how an app's job
 * types behave when AWS misbehaves: each a share (0 to 1) of the calls or
 * invocations it affects. `QW_FAULTS=dynamodb=0.05,sqs=0.05,crash=0.01,hang=0.01,seed=7`.
 */
export interface FaultPlan {
  /** Share of functions' DynamoDB calls answered with a throttle or a 500. */
  readonly dynamodb: number;
  /** Share of functions' SQS calls answered with a 500 or a 503. */
  readonly sqs: number;
  /** Share of event source batches whose execution environment dies in the middle of the invocation. */
  readonly crash: number;
  /** Share of event source batches whose handler hangs past the function's timeout. */
  readonly hang: number;
  /** Seed of the fault draws, so a run can be repeated. @default a random seed */
  readonly seed?: number;
}

/** No faults at all: what the runtime does unless asked. */
export const NO_FAULTS: FaultPlan = Object.freeze({ dynamodb: 0, sqs: 0, crash: 0, hang: 0 });

const SHARES = ['dynamodb', 'sqs', 'crash', 'hang'] as const;

/** True when the plan breaks anything. */
export function hasFaults(plan: FaultPlan): boolean {
  return SHARES.some((k) => plan[k] > 0);
}

/**
 * Reads `name=value` pairs, separated by commas: the shares of
 * {@link FaultPlan} and `seed`. Returns the problem, in words, when it cannot.
 */
export function parseFaultPlan(text: string): FaultPlan | string {
  const plan: Record<string, number> = { ...NO_FAULTS };
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value, ...rest] = part.split('=');
    const n = Number(value);
    if (!name || value === undefined || rest.length) return `"${part}" is not name=value.`;
    if (name === 'seed') {
      if (!Number.isInteger(n)) return `seed must be a whole number, not "${value}".`;
    } else if (!(SHARES as readonly string[]).includes(name)) {
      return `"${name}" is not a fault; use ${SHARES.join(', ')} or seed.`;
    } else if (!(n >= 0 && n <= 1)) {
      return `${name} must be a share from 0 to 1, not "${value}".`;
    }
    plan[name] = n;
  }
  return plan as unknown as FaultPlan;
}

/** A source of numbers in [0, 1): seeded (mulberry32) when a seed is given, so a faulty run can be replayed. */
export function faultRandom(seed: number | undefined): () => number {
  if (seed === undefined) return Math.random;
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The fault, if any, one event source batch gets. */
export type InvocationFault = 'crash' | 'hang' | undefined;

/** Draws the fault of one batch from the plan's crash and hang shares. */
export function drawInvocationFault(plan: FaultPlan, random: () => number): InvocationFault {
  const draw = random();
  if (draw < plan.crash) return 'crash';
  if (draw < plan.crash + plan.hang) return 'hang';
  return undefined;
}
