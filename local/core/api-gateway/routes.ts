import type { MethodDef, RestApiDef, RouteDef } from '../plan.js';

/** A matched route: the resource, the method that serves the request, and the path parameters. */
export interface RouteMatch {
  readonly route: RouteDef;
  readonly method: MethodDef;
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

/** A path segment decoded; `undefined` for a percent-escape that does not decode (`%`, `%zz`, half a UTF-8 character). */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Matches a path (without the stage) to a resource as API Gateway does: literal
 * parts beat `{param}`, which beats a greedy `{proxy+}`; the method must be the
 * request's or ANY. `undefined` when no resource matches, a parameter's segment
 * included that does not decode (API Gateway answers such a path 400 before
 * matching, as `serve-api.ts` does); `null` method when the resource has neither.
 */
export function matchRoute(
  api: RestApiDef,
  httpMethod: string,
  path: string,
): { route: RouteDef; method: MethodDef | undefined; pathParameters: Record<string, string> | null } | undefined {
  const parts = path.split('/').filter(Boolean);
  let best: { route: RouteDef; params: Record<string, string>; score: number[] } | undefined;
  for (const route of api.routes) {
    const pattern = route.resourcePath.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    let i = 0;
    for (; i < pattern.length; i++) {
      const p = pattern[i] as string;
      if (p.endsWith('+}')) {
        const rest = parts.slice(i).map(decodeSegment);
        if (!rest.length || rest.includes(undefined)) ok = false;
        else params[p.slice(1, -2)] = rest.join('/');
        score.push(0);
        i = parts.length;
        break;
      }
      const part = parts[i];
      if (part === undefined) {
        ok = false;
        break;
      }
      const param = p.startsWith('{') ? decodeSegment(part) : undefined;
      if (param !== undefined) {
        params[p.slice(1, -1)] = param;
        score.push(1);
      } else if (p === part && !p.startsWith('{')) {
        score.push(2);
      } else {
        ok = false;
        break;
      }
    }
    if (!ok || i !== parts.length) continue;
    if (!best || compare(score, best.score) > 0) best = { route, params, score };
  }
  if (!best) return undefined;
  const method = best.route.methods.get(httpMethod) ?? best.route.methods.get('ANY');
  return { route: best.route, method, pathParameters: Object.keys(best.params).length ? best.params : null };
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
