/**
 * The headless Chromium that the dashboard test drives, found on any machine
 * `npm install` ran on: a newcomer's laptop has no `/usr/bin/chromium`, and
 * Playwright cannot download its own browser where only package registries are
 * reachable, so the last resort is the Chromium that `@sparticuz/chromium`
 * ships inside its npm package.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type LaunchOptions, chromium as playwright } from 'playwright-core';

/** Where a browser was found, in the order the search tries them. */
export type BrowserSource = 'CHROMIUM_PATH' | 'playwright' | 'system' | '@sparticuz/chromium';

/** A browser the search found. */
export interface FoundBrowser {
  readonly source: BrowserSource;
  readonly executablePath: string;
  /** Flags this build needs to start at all (the `@sparticuz/chromium` build's own); empty for the others. */
  readonly args: readonly string[];
}

/** A Chromium build shipped in an npm package: its unpacked executable and the flags it needs. */
export interface PackagedChromium {
  readonly executablePath: string;
  readonly args: readonly string[];
}

/** What the search looks at, injected so that a test can fake the machine. */
export interface BrowserSearchDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  /** True when a file is at `file`. */
  readonly exists: (file: string) => boolean;
  /** Where Playwright keeps its own Chromium for this playwright-core, installed or not; undefined where it has none. */
  readonly playwrightExecutable: () => string | undefined;
  /** The `@sparticuz/chromium` build, unpacked; undefined when the package is not installed. */
  readonly packagedChromium: () => Promise<PackagedChromium | undefined>;
}

/** Where Chromium and Chrome install themselves, per platform; none on Windows, where CHROMIUM_PATH or Playwright's own serve. */
export const SYSTEM_BROWSER_PATHS: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'],
  darwin: [
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ],
};

/** What to do when no browser is found; every failure message ends with it. */
export const HOW_TO_GET_A_BROWSER =
  'To get one: set CHROMIUM_PATH to a Chromium or Chrome executable; or run `npm install` (it installs @sparticuz/chromium, ' +
  'a headless Chromium for Linux x64); or install a system Chromium (e.g. `apt-get install chromium`); or, where downloads ' +
  'are allowed, `npx playwright install chromium`.';

/** No browser could be found; the message lists what was tried and how to get one. */
export class BrowserNotFoundError extends Error {
  /** Each place looked at, with why it did not serve. */
  readonly tried: readonly string[];

  constructor(problem: string, tried: readonly string[]) {
    super([`${problem} Looked at:`, ...tried.map((t) => `  - ${t}`), HOW_TO_GET_A_BROWSER].join('\n'));
    this.name = 'BrowserNotFoundError';
    this.tried = tried;
  }
}

/**
 * Finds a Chromium to drive, in this order: `CHROMIUM_PATH`; Playwright's own
 * Chromium when installed; a system Chromium or Chrome; then the build of
 * `@sparticuz/chromium` (Linux x64 only: its npm package ships no other).
 * A `CHROMIUM_PATH` that names no file is an error rather than a reason to
 * look elsewhere: whoever set it meant that browser.
 * @throws BrowserNotFoundError when nothing is found.
 */
export async function findBrowser(deps: BrowserSearchDeps): Promise<FoundBrowser> {
  const explicit = deps.env.CHROMIUM_PATH;
  if (explicit) {
    if (deps.exists(explicit)) return { source: 'CHROMIUM_PATH', executablePath: explicit, args: [] };
    throw new BrowserNotFoundError(`CHROMIUM_PATH is "${explicit}", where there is no file.`, [
      `CHROMIUM_PATH=${explicit}: no such file`,
    ]);
  }

  const tried: string[] = ['CHROMIUM_PATH: not set'];
  const managed = playwrightPath(deps);
  if (managed && deps.exists(managed)) return { source: 'playwright', executablePath: managed, args: [] };
  tried.push(
    managed ? `Playwright's Chromium at ${managed}: not installed` : "Playwright's Chromium: none for this platform",
  );

  const system = SYSTEM_BROWSER_PATHS[deps.platform] ?? [];
  const found = system.find((file) => deps.exists(file));
  if (found) return { source: 'system', executablePath: found, args: [] };
  tried.push(system.length ? `${system.join(', ')}: none there` : `system browsers: none known on ${deps.platform}`);

  if (deps.platform === 'linux' && deps.arch === 'x64') {
    const packaged = await deps.packagedChromium();
    if (packaged) return { source: '@sparticuz/chromium', ...packaged };
    tried.push('@sparticuz/chromium: not installed');
  } else {
    tried.push(`@sparticuz/chromium: its npm package ships Linux x64 only, not ${deps.platform} ${deps.arch}`);
  }
  throw new BrowserNotFoundError('No Chromium or Chrome was found for the dashboard test.', tried);
}

function playwrightPath(deps: BrowserSearchDeps): string | undefined {
  try {
    return deps.playwrightExecutable();
  } catch {
    // playwright-core throws on platforms it has no build for; that only means there is no such candidate.
    return undefined;
  }
}

/**
 * Flags of the `@sparticuz/chromium` build that make a browser unlike the ones
 * users have: a dashboard that worked only without the same-origin policy must fail its test.
 */
const WEAKENING_FLAGS = new Set(['--disable-web-security', '--allow-running-insecure-content']);

/** Flags that keep Chromium from calling Google while a test runs: no updates, sync, pings or QUIC probes. */
export const QUIET_FLAGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
] as const;

/**
 * Playwright's launch options for a found browser: headless, the build's own
 * flags less those that weaken web security, the quiet flags, and no sandbox
 * when running as root, where Chromium refuses to start with one. Each launch
 * gets a fresh user data dir: `chromium.launch` makes a temporary profile and
 * deletes it on close.
 */
export function launchOptions(found: FoundBrowser, runsAsRoot: boolean): LaunchOptions {
  return {
    executablePath: found.executablePath,
    headless: true,
    chromiumSandbox: !runsAsRoot,
    args: [...found.args.filter((flag) => !WEAKENING_FLAGS.has(flag)), '--disable-gpu', ...QUIET_FLAGS],
  };
}

/**
 * Unpacks the `@sparticuz/chromium` build into a folder of its own version
 * under the system temp dir, once per machine and user. The package unpacks into
 * `$TMPDIR/chromium` and trusts any file it finds there, which on a shared
 * machine may be another version's or half of an interrupted unpack; so this
 * unpacks into a fresh folder and renames it into place, which is atomic, and a
 * concurrent run that renamed first wins.
 */
export async function unpackSparticuzChromium(): Promise<PackagedChromium | undefined> {
  let entry: string;
  try {
    entry = import.meta.resolve('@sparticuz/chromium');
  } catch {
    return undefined;
  }
  const { default: chromium } = await import('@sparticuz/chromium');
  const packageJson = path.join(path.dirname(fileURLToPath(entry)), '..', 'package.json');
  const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string };
  // Per user as well: the unpacked executable is readable by its owner only.
  const home = path.join(tmpdir(), `queue-workers-chromium-${version}-${process.getuid?.() ?? 'user'}`);
  const executablePath = path.join(home, 'chromium');
  if (!existsSync(executablePath)) {
    const staging = await mkdtemp(path.join(tmpdir(), 'queue-workers-chromium-unpacking-'));
    try {
      // The package reads TMPDIR only synchronously, before its first await, so it is restored at once.
      const before = process.env.TMPDIR;
      process.env.TMPDIR = staging;
      const unpacking = chromium.executablePath();
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      await unpacking;
      await rename(staging, home).catch((error: NodeJS.ErrnoException) => {
        if (!existsSync(executablePath)) throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return { executablePath, args: chromium.args };
}

/** The search on this machine: its environment, files and packages. */
export function machineSearchDeps(): BrowserSearchDeps {
  return {
    env: process.env,
    platform: process.platform,
    arch: process.arch,
    exists: existsSync,
    playwrightExecutable: () => playwright.executablePath(),
    packagedChromium: unpackSparticuzChromium,
  };
}

/**
 * Launches the browser {@link findBrowser} finds on this machine, and says which it is.
 * @throws BrowserNotFoundError when there is none, saying how to get one.
 */
export async function launchBrowser(
  deps: BrowserSearchDeps = machineSearchDeps(),
): Promise<{ readonly browser: Browser; readonly found: FoundBrowser }> {
  const found = await findBrowser(deps);
  return { browser: await playwright.launch(launchOptions(found, process.getuid?.() === 0)), found };
}
