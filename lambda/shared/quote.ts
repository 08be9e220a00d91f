/**
 * How an error quotes what a client sent. An error that echoes its input in
 * full hands a megabyte back for a megabyte sent (twice, when `details` repeats
 * it), can push an answer past Lambda's 6 MB response limit, and carries the
 * input's control characters into logs and terminals. Every message or problem
 * entry that names a client's value quotes it with {@link quote}; structured
 * `details` carry it through {@link clip}.
 */

/** The most characters of a client's value an error repeats. */
export const QUOTED_CHARS = 48;

/**
 * `value` when it has at most `max` characters; otherwise its first `max`
 * (never half a surrogate pair) and an ellipsis.
 */
export function clip(value: string, max: number = QUOTED_CHARS): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return `${value.slice(0, end)}…`;
}

/**
 * A client's value as an error message quotes it: JSON-escaped, in double
 * quotes, and when longer than {@link QUOTED_CHARS} its first characters with an
 * ellipsis and its full length: `"aaaa…" (1100000 characters)`.
 */
export function quote(value: string): string {
  const quoted = JSON.stringify(clip(value));
  return value.length <= QUOTED_CHARS ? quoted : `${quoted} (${value.length} characters)`;
}
