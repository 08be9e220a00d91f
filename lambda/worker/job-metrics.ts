import { Metrics } from '@aws-lambda-powertools/metrics';
import type { WorkerMetrics } from './deps.js';

type Unit = 'Count' | 'Milliseconds';

/**
 * Powertools' Metrics, plus {@link JobMetrics.addMetricValues}: a metric's
 * values for the batch (its job durations, or one count) in one call.
 * Powertools' own `addMetric` validates the unit, reads two environment
 * variables and copies the metric's whole value array on every call; for a
 * batch's hundred durations that costs more than processing the records, and
 * on a batch of ten its few counts cost about as much as the jobs. The values
 * join Powertools' EMF line when it is serialized (namespace, dimensions,
 * timestamp are Powertools'), so they are published, disabled and cleared
 * with the rest. Give such a metric a name no `addMetric` call uses.
 */
export class JobMetrics extends Metrics implements WorkerMetrics {
  readonly #series = new Map<string, { unit: Unit; values: number[] }>();

  /** Stores `values` (at most 100, EMF's limit per metric and line) as the metric `name`, replacing any before. */
  addMetricValues(name: string, unit: Unit, values: readonly number[]): this {
    if (values.length > 100) throw new RangeError(`At most 100 values per metric; got ${values.length} for ${name}`);
    if (values.length > 0) this.#series.set(name, { unit, values: [...values] });
    return this;
  }

  override hasStoredMetrics(): boolean {
    return this.#series.size > 0 || super.hasStoredMetrics();
  }

  override clearMetrics(): void {
    super.clearMetrics();
    this.#series.clear();
  }

  override serializeMetrics(): ReturnType<Metrics['serializeMetrics']> {
    const emf = super.serializeMetrics();
    const directive = emf._aws.CloudWatchMetrics[0];
    const target = emf as Record<string, unknown>;
    for (const [name, { unit, values }] of this.#series) {
      directive?.Metrics.push({ Name: name, Unit: unit });
      // One value is written as a number, as Powertools writes it.
      target[name] = values.length === 1 ? values[0] : values;
    }
    return emf;
  }
}
