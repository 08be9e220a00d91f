/** The units of a `rate()` schedule expression, in milliseconds. */
const UNITS: Readonly<Record<string, number>> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/**
 * The period of `rate(value unit)`, in milliseconds; undefined for anything
 * else. As EventBridge requires, a value of 1 takes the singular unit and any
 * other the plural.
 */
export function ratePeriodMs(expression: string): number | undefined {
  const match = /^rate\(\s*(\d+)\s+([a-z]+)\s*\)$/.exec(expression.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? '';
  const ms = UNITS[unit];
  if (!ms || value < 1 || (value === 1) !== !unit.endsWith('s')) return undefined;
  return value * ms;
}
