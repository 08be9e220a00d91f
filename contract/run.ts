/**
 * `npm run test:contract [-- <schemathesis run options>]`: holds the local
 * runtime to its OpenAPI document. It starts the runtime in this process on a
 * free port (the app of contract/app.ts: `npm start`'s, with the webhook worker
 * not polling), then runs the pinned Schemathesis from the project venv against
 * the runtime's /openapi.json: every check (`--checks all`, which no waiver in
 * the configuration can turn off), every phase, the stateful one following the
 * document's links, as contract/schemathesis.toml sets it.
 * Options after `--` go to `schemathesis run` (`--seed 42`, `--max-examples 20`).
 *
 * It exits with Schemathesis's code (non-zero on any failure, error or
 * warning), and appends `passed failed skipped` scenarios to the file
 * QW_TEST_TALLY names, as the Vitest runs do, for CI's total.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureVenv, pinnedVersion, venvBin } from '../emulator/venv.js';
import { createOutput } from '../local/core/terminal.js';
import { type LocalRuntime, startLocal } from '../local/index.js';
import { CONTRACT_STACK } from './app.js';
import { type ContractTally, onlyToolCrash, tallyScenarios, tallyWithExit } from './tally.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.resolve(HERE, '..');
/** Schemathesis's configuration: checks, phases, sizes, waivers. */
const CONFIG_FILE = path.join(HERE, 'schemathesis.toml');
/** Where the run's report and the runtime's log go (git-ignored). */
const WORK_DIR = path.join(PROJECT_ROOT, '.qw', 'contract');

/** The runtime the contract test talks to, its function logs going to `logFile`. */
function startRuntime(logFile: string): Promise<LocalRuntime> {
  const log = createWriteStream(logFile);
  return startLocal({
    port: 0,
    app: 'tsx contract/app.ts',
    // Its own assembly, so the run never replaces the one `npm start` uses.
    outDir: '.qw/contract.out',
    stack: CONTRACT_STACK,
    sources: ['bin', 'lib', 'lambda', 'contract/app.ts', 'cdk.json'],
    projectDir: PROJECT_ROOT,
    output: createOutput({ stream: log, liveStatus: false }),
  });
}

/** Runs Schemathesis against the document at `schemaUrl`; resolves with its exit code. */
function runSchemathesis(schemaUrl: string, reportFile: string, extra: readonly string[]): Promise<number> {
  const args = [
    '--config-file',
    CONFIG_FILE,
    'run',
    schemaUrl,
    '--checks',
    'all',
    '--report',
    'ndjson',
    '--report-ndjson-path',
    reportFile,
    ...extra,
  ];
  const child = spawn(venvBin('schemathesis'), args, { stdio: 'inherit', cwd: PROJECT_ROOT });
  const interrupt = () => child.kill('SIGINT');
  process.once('SIGINT', interrupt);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', interrupt);
      resolve(code ?? (signal ? 130 : 1));
    });
  });
}

function readTally(reportFile: string, exitCode: number): ContractTally {
  let ndjson = '';
  try {
    ndjson = readFileSync(reportFile, 'utf8');
  } catch {
    // No report: Schemathesis stopped before its first event; the exit code says so.
  }
  return tallyWithExit(tallyScenarios(ndjson), exitCode);
}

async function main(extra: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const version = pinnedVersion('schemathesis');
  ensureVenv(`Schemathesis ${version}`);
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const logFile = path.join(WORK_DIR, 'runtime.log');
  const reportFile = path.join(WORK_DIR, 'schemathesis.ndjson');
  const started = performance.now();
  const runtime = await startRuntime(logFile);
  let exitCode: number;
  try {
    process.stdout.write(`Local runtime on ${runtime.url} (function logs: ${path.relative(PROJECT_ROOT, logFile)})\n`);
    exitCode = await runSchemathesis(`${runtime.url}/openapi.json`, reportFile, extra);
    if (exitCode !== 0 && existsSync(reportFile) && onlyToolCrash(readFileSync(reportFile, 'utf8'))) {
      process.stdout.write(
        '\nSchemathesis crashed inside Hypothesis (CPython 3.11 ast check), nothing else: once more.\n',
      );
      exitCode = await runSchemathesis(`${runtime.url}/openapi.json`, reportFile, extra);
    }
  } finally {
    await runtime.stop();
  }
  const tally = readTally(reportFile, exitCode);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  process.stdout.write(
    `\ncontract: ${tally.passed} passed, ${tally.failed} failed${tally.skipped ? `, ${tally.skipped} skipped` : ''}` +
      ` (Schemathesis ${version} scenarios, ${seconds} s with the runtime's start)\n`,
  );
  // CI runs several test commands and prints one total from this file.
  if (env.QW_TEST_TALLY) appendFileSync(env.QW_TEST_TALLY, `${tally.passed} ${tally.failed} ${tally.skipped}\n`);
  return exitCode;
}

const separator = process.argv.indexOf('--');
const extra = separator === -1 ? process.argv.slice(2) : process.argv.slice(separator + 1);
main(extra, process.env).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`test:contract could not run: ${error.stack ?? error.message}\n`);
    if (process.env.QW_TEST_TALLY) appendFileSync(process.env.QW_TEST_TALLY, '0 1 0\n');
    process.exit(1);
  },
);
