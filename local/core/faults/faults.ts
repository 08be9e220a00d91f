import { drawInvocationFault, type FaultPlan, faultRandom, hasFaults, type InvocationFault } from './fault-plan.js';
import { type FaultProxy, SERVICE_FAULTS, startFaultProxy } from './fault-proxy.js';

/** The faults of a running runtime: where functions reach each service, and the draw of each batch's fault. */
export interface ActiveFaults {
  /** The SQS endpoint functions are given: the emulator's, or a fault proxy in front of it. */
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The fault of one event source batch; undefined when no crash or hang is asked for. */
  readonly draw?: () => InvocationFault;
  /** What the banner says about the faults; undefined when there are none. */
  readonly note?: string;
  stop(): Promise<void>;
}

/**
 * Sets up what `plan` asks to break: a fault proxy in front of each emulator
 * whose calls should fail, and a seeded draw for crashes and hangs. With no
 * faults, functions reach the emulators directly, as they always have.
 */
export async function startFaults(
  plan: FaultPlan,
  emulators: { readonly sqsEndpoint: string; readonly dynamodbEndpoint: string },
): Promise<ActiveFaults> {
  if (!hasFaults(plan)) return { ...emulators, stop: async () => undefined };
  const random = faultRandom(plan.seed);
  const proxies: FaultProxy[] = [];
  const proxied = async (service: 'sqs' | 'dynamodb', target: string): Promise<string> => {
    if (plan[service] <= 0) return target;
    const proxy = await startFaultProxy({ target, share: plan[service], faults: SERVICE_FAULTS[service], random });
    proxies.push(proxy);
    return proxy.endpoint;
  };
  const sqsEndpoint = await proxied('sqs', emulators.sqsEndpoint);
  const dynamodbEndpoint = await proxied('dynamodb', emulators.dynamodbEndpoint);
  const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;
  return {
    sqsEndpoint,
    dynamodbEndpoint,
    ...(plan.crash > 0 || plan.hang > 0 ? { draw: () => drawInvocationFault(plan, random) } : {}),
    note:
      `Faults injected (QW_FAULTS): ${percent(plan.dynamodb)} of DynamoDB calls and ${percent(plan.sqs)} of SQS calls fail; ` +
      `${percent(plan.crash)} of batches crash their environment, ${percent(plan.hang)} hang past the timeout` +
      `${plan.seed !== undefined ? ` (seed ${plan.seed})` : ''}.`,
    stop: async () => {
      await Promise.all(proxies.map((p) => p.stop()));
    },
  };
}
