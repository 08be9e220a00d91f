/**
 * CloudWatch Embedded Metric Format records, as Powertools' metrics utility
 * prints them: one JSON line whose `_aws` key declares the namespace,
 * dimensions and metrics, whose values are top-level keys. On a terminal they
 * are summarised on one line.
 */

interface MetricDirective {
  readonly Namespace?: unknown;
  readonly Dimensions?: unknown;
  readonly Metrics?: unknown;
}

/** A record in Embedded Metric Format. */
export interface EmfRecord extends Record<string, unknown> {
  readonly _aws: { readonly Timestamp?: unknown; readonly CloudWatchMetrics: readonly MetricDirective[] };
}

/** Whether a JSON record is an Embedded Metric Format one. */
export function isEmf(record: Record<string, unknown>): record is EmfRecord {
  const aws = record._aws as { CloudWatchMetrics?: unknown } | undefined;
  return !!aws && typeof aws === 'object' && Array.isArray(aws.CloudWatchMetrics);
}

/** Units shown as a suffix; Count and None show none. */
const UNIT_SUFFIXES: Readonly<Record<string, string>> = {
  Count: '',
  None: '',
  Milliseconds: ' ms',
  Seconds: ' s',
  Microseconds: ' µs',
  Bytes: ' B',
  Percent: '%',
};

const names = (list: unknown): string[] =>
  Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string') : [];

/**
 * One line for a record: `<namespace> <dimension>=<value>...: <metric>=<value><unit>, ...`
 * (each metric directive of the record in turn), and the record's time.
 */
export function emfSummary(
  record: EmfRecord,
  formatValue: (value: unknown) => string,
): { readonly time: unknown; readonly text: string } {
  const parts = record._aws.CloudWatchMetrics.map((directive) => {
    const dimensionNames = [
      ...new Set((Array.isArray(directive.Dimensions) ? directive.Dimensions : []).flatMap(names)),
    ];
    const dimensions = dimensionNames.map((d) => `${d}=${formatValue(record[d])}`);
    const metrics = (Array.isArray(directive.Metrics) ? directive.Metrics : []).flatMap((m: unknown) => {
      const { Name, Unit } = (m ?? {}) as { Name?: unknown; Unit?: unknown };
      if (typeof Name !== 'string') return [];
      const unit = typeof Unit === 'string' ? (UNIT_SUFFIXES[Unit] ?? ` ${Unit}`) : '';
      const value = record[Name];
      const shown = Array.isArray(value) ? value.map((v) => formatValue(v)).join(',') : formatValue(value);
      return [`${Name}=${shown}${unit}`];
    });
    const namespace = typeof directive.Namespace === 'string' ? directive.Namespace : '(no namespace)';
    return `${[namespace, ...dimensions].join(' ')}: ${metrics.join(', ')}`;
  });
  return { time: record._aws.Timestamp, text: parts.join('; ') };
}
