import type { TableDef } from '../plan.js';
import { type TableShape, tableShape } from './dynamodb-units.js';
import { type MeteringProxy, startMeteringProxy } from './metering-proxy.js';
import type { UsageMeter } from './usage.js';

/** Where functions reach each service while usage is metered. */
export interface ActiveMetering {
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  stop(): Promise<void>;
}

/**
 * Puts a metering proxy in front of each emulator when `meter` is given;
 * without one, functions reach the emulators directly.
 */
export async function startMetering(
  meter: UsageMeter | undefined,
  emulators: { readonly sqsEndpoint: string; readonly dynamodbEndpoint: string },
  tables: () => readonly TableDef[],
): Promise<ActiveMetering> {
  if (!meter) return { ...emulators, stop: async () => undefined };
  const shapes = new WeakMap<readonly TableDef[], readonly TableShape[]>();
  const shapesOf = () => {
    const current = tables();
    let known = shapes.get(current);
    if (!known) {
      known = current.map((t) => tableShape(t.create));
      shapes.set(current, known);
    }
    return known;
  };
  const proxies: MeteringProxy[] = [];
  try {
    proxies.push(await startMeteringProxy({ service: 'sqs', target: emulators.sqsEndpoint, meter, tables: shapesOf }));
    proxies.push(
      await startMeteringProxy({ service: 'dynamodb', target: emulators.dynamodbEndpoint, meter, tables: shapesOf }),
    );
  } catch (error) {
    await Promise.all(proxies.map((p) => p.stop()));
    throw error;
  }
  const [sqs, dynamodb] = proxies as [MeteringProxy, MeteringProxy];
  return {
    sqsEndpoint: sqs.endpoint,
    dynamodbEndpoint: dynamodb.endpoint,
    stop: async () => {
      await Promise.all(proxies.map((p) => p.stop()));
    },
  };
}
