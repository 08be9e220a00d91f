/**
 * The project's one Python venv (.venv/) and its one install: everything
 * emulator/requirements.txt pins, ministack for `npm run emulator` and the e2e
 * suite, Schemathesis for `npm run test:contract`, resolved together so the two
 * never need different versions of a shared dependency.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT, REQUIREMENTS_FILE, VENV_DIR } from './paths.js';

/** A distribution's name as pip compares them (PEP 503): lower case, runs of `-_.` as one `-`. */
export function normalizedName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Every `name==version` line of a requirements text, by normalized name. */
export function parsePins(text: string): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)/.exec(line);
    if (match?.[1] && match[2]) pins.set(normalizedName(match[1]), match[2]);
  }
  return pins;
}

/** What emulator/requirements.txt pins, by normalized name. */
export function pinnedVersions(): Map<string, string> {
  return parsePins(readFileSync(REQUIREMENTS_FILE, 'utf8'));
}

/** The version emulator/requirements.txt pins for `name`; throws naming the file when it pins none. */
export function pinnedVersion(name: string): string {
  const version = pinnedVersions().get(normalizedName(name));
  if (!version) throw new Error(`${REQUIREMENTS_FILE} has no "${name}==<version>" line.`);
  return version;
}

/** An executable of the venv, e.g. `venvBin('schemathesis')`. */
export function venvBin(name: string): string {
  return process.platform === 'win32'
    ? path.join(VENV_DIR, 'Scripts', `${name}.exe`)
    : path.join(VENV_DIR, 'bin', name);
}

function findPython(env: NodeJS.ProcessEnv): string {
  const candidates = env.PYTHON ? [env.PYTHON] : ['python3', 'python'];
  for (const candidate of candidates) {
    try {
      const ok = execFileSync(candidate, ['-c', 'import sys; print(sys.version_info >= (3, 10))'], {
        encoding: 'utf8',
      }).trim();
      if (ok === 'True') return candidate;
    } catch {
      // Not installed under this name.
    }
  }
  throw new Error(
    'The project venv needs Python 3.10 or later with venv support; none was found as python3 or python. Install one, or set PYTHON=/path/to/python3.',
  );
}

/** The installed version of each of `names` (normalized), in one interpreter call; a missing one is absent. */
function installedVersions(names: readonly string[]): Map<string, string> {
  if (!existsSync(venvBin('python'))) return new Map();
  const script = [
    'import importlib.metadata as m, json, sys',
    'out = {}',
    'for n in sys.argv[1:]:',
    '    try: out[n] = m.version(n)',
    '    except m.PackageNotFoundError: pass',
    'print(json.dumps(out))',
  ].join('\n');
  try {
    const out = execFileSync(venvBin('python'), ['-c', script, ...names], { encoding: 'utf8' });
    return new Map(Object.entries(JSON.parse(out) as Record<string, string>));
  } catch {
    return new Map();
  }
}

/** The pinned packages whose installed version differs (or that are missing), as `name want (have)`. */
function drift(): string[] {
  const pins = pinnedVersions();
  const have = installedVersions([...pins.keys()]);
  return [...pins].filter(([name, want]) => have.get(name) !== want).map(([name, want]) => `${name} ${want}`);
}

/**
 * Makes sure .venv/ holds exactly what emulator/requirements.txt pins: creates
 * the venv when missing and installs the requirements when any pinned package is
 * missing or at another version. `what` names the caller's need in the log line.
 * PYTHON in `env` names the interpreter that creates the venv.
 */
export function ensureVenv(what: string, log: (line: string) => void = console.log, env = process.env): void {
  const missing = drift();
  if (missing.length === 0) return;
  if (!existsSync(venvBin('python'))) {
    log(`Creating the Python venv ${path.relative(PROJECT_ROOT, VENV_DIR)}/ for ${what}...`);
    execFileSync(findPython(env), ['-m', 'venv', VENV_DIR], { stdio: 'inherit' });
  }
  const shown =
    missing.length > 3 ? `${missing.slice(0, 3).join(', ')} and ${missing.length - 3} more` : missing.join(', ');
  log(`Installing ${shown} from ${path.relative(PROJECT_ROOT, REQUIREMENTS_FILE)} into the venv...`);
  execFileSync(
    venvBin('python'),
    ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS_FILE],
    { stdio: 'inherit' },
  );
}
