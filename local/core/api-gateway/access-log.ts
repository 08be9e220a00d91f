import type { APIGatewayProxyEvent } from 'aws-lambda';
import { requestTime } from './proxy-event.js';

/** What an access log line can say about one request. */
export interface AccessLogContext {
  /** The event the function got, when the request reached one. */
  readonly event?: APIGatewayProxyEvent;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly sourceIp: string;
  readonly status: number;
  readonly responseLength: number;
}

/**
 * A stage's access log line for one request: each `$context.*` variable of the
 * stage's AccessLogSetting.Format replaced by its value, `-` where it has none,
 * as API Gateway writes it.
 */
export function renderAccessLog(format: string, ctx: AccessLogContext): string {
  const requestContext = ctx.event?.requestContext;
  const values: Record<string, unknown> = {
    ...requestContext,
    requestId: ctx.requestId,
    httpMethod: ctx.method,
    path: ctx.path,
    requestTime: requestContext?.requestTime ?? requestTime(new Date()),
    identity: { sourceIp: ctx.sourceIp, ...requestContext?.identity },
    status: ctx.status,
    responseLength: ctx.responseLength,
  };
  return format.replace(/\$context\.([A-Za-z0-9_.]+)/g, (_, name: string) => {
    let value: unknown = values;
    for (const part of name.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    return value === undefined || value === null || typeof value === 'object' ? '-' : String(value);
  });
}
