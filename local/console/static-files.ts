import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../../lambda/api/openapi.js';
import { jobTypes as registeredJobTypes } from '../../lambda/jobs/registry.js';
import { ENV } from '../../lambda/shared/config.js';
import type { LocalPlan } from '../core/plan.js';

const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

/** The dashboard's files: plain HTML, JavaScript and CSS, with no build step. */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/ui': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** Sends the dashboard's file at `pathname`; false when there is none. */
export async function sendAsset(res: ServerResponse, pathname: string): Promise<boolean> {
  const asset = ASSETS[pathname];
  if (!asset) return false;
  const body = await readFile(`${UI_DIR}${asset.file}`);
  res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' });
  res.end(body);
  return true;
}

/**
 * The OpenAPI document of the job API the plan runs: the request schemas of its
 * job types (all registered ones if it runs none), with the runtime's stage URL
 * as its server. It declares no auth, because the local runtime checks none: a
 * client (or a contract test) reading it must not expect the 401 or 403 that
 * API Gateway gives an unsigned request. The document says so, and names the
 * auth of the deployed API.
 */
export function openApiFor(plan: LocalPlan, typeNames: readonly string[], url: string): unknown {
  const names = new Set(typeNames);
  const types = registeredJobTypes.filter((t) => names.has(t.name));
  const stage = plan.apis[0]?.stage;
  // The API function's own limit, as the stack set it.
  const limit = plan.functions.map((f) => f.environment[ENV.uploadMaxBytes]).find((v) => v !== undefined);
  return openApiDocument(types.length ? types : registeredJobTypes, stage ? `${url}/${stage}` : url, {
    security: 'none',
    ...(limit && Number.isInteger(Number(limit)) ? { uploadMaxBytes: Number(limit) } : {}),
  });
}
