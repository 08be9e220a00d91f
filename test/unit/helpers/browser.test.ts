import { describe, expect, it, vi } from 'vitest';
import {
  type BrowserSearchDeps,
  findBrowser,
  HOW_TO_GET_A_BROWSER,
  launchOptions,
  QUIET_FLAGS,
  SYSTEM_BROWSER_PATHS,
} from '../../helpers/browser.js';

const PLAYWRIGHT = '/home/dev/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome';
const PACKAGED = { executablePath: '/tmp/queue-workers-chromium-153.0.0/chromium', args: ['--single-process'] };

/** A machine with exactly `files`, and the packaged Chromium installed unless told otherwise. */
function machine(
  files: readonly string[],
  overrides: Partial<BrowserSearchDeps> = {},
): BrowserSearchDeps & { packagedChromium: ReturnType<typeof vi.fn> } {
  const packagedChromium = vi.fn(async () => PACKAGED);
  return {
    env: {},
    platform: 'linux',
    arch: 'x64',
    exists: (file) => files.includes(file),
    playwrightExecutable: () => PLAYWRIGHT,
    packagedChromium,
    ...overrides,
  } as BrowserSearchDeps & { packagedChromium: ReturnType<typeof vi.fn> };
}

describe('findBrowser', () => {
  it('takes CHROMIUM_PATH over every other browser', async () => {
    // Prepare
    const deps = machine(['/opt/chrome', PLAYWRIGHT, '/usr/bin/chromium'], { env: { CHROMIUM_PATH: '/opt/chrome' } });
    // Act
    const found = await findBrowser(deps);
    // Assess
    expect(found).toEqual({ source: 'CHROMIUM_PATH', executablePath: '/opt/chrome', args: [] });
    expect(deps.packagedChromium).not.toHaveBeenCalled();
  });

  it('fails when CHROMIUM_PATH names no file, rather than using another browser', async () => {
    // Prepare
    const deps = machine(['/usr/bin/chromium'], { env: { CHROMIUM_PATH: '/opt/nothing' } });
    // Act
    const search = findBrowser(deps);
    // Assess
    await expect(search).rejects.toThrow(/CHROMIUM_PATH is "\/opt\/nothing", where there is no file/);
  });

  it("takes Playwright's own Chromium when it is installed, before a system one", async () => {
    // Prepare
    const deps = machine([PLAYWRIGHT, '/usr/bin/chromium']);
    // Act
    const found = await findBrowser(deps);
    // Assess
    expect(found).toMatchObject({ source: 'playwright', executablePath: PLAYWRIGHT });
  });

  it('passes over a platform that playwright-core has no build for', async () => {
    // Prepare
    const deps = machine(['/usr/bin/google-chrome'], {
      playwrightExecutable: () => {
        throw new Error('Unsupported platform');
      },
    });
    // Act
    const found = await findBrowser(deps);
    // Assess
    expect(found).toMatchObject({ source: 'system', executablePath: '/usr/bin/google-chrome' });
  });

  it.each([
    ['linux', '/usr/bin/chromium-browser'],
    ['darwin', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
    ['darwin', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
  ] as const)('finds a system browser on %s at %s', async (platform, file) => {
    // Prepare
    const deps = machine([file], { platform, arch: 'arm64' });
    // Act
    const found = await findBrowser(deps);
    // Assess
    expect(found).toEqual({ source: 'system', executablePath: file, args: [] });
  });

  it('looks at the system paths in their order', async () => {
    // Prepare
    const linux = SYSTEM_BROWSER_PATHS.linux ?? [];
    const deps = machine([...linux].reverse());
    // Act
    const found = await findBrowser(deps);
    // Assess
    expect(found.executablePath).toBe('/usr/bin/chromium');
  });

  it('falls back to the Chromium of @sparticuz/chromium, with its flags, on Linux x64', async () => {
    // Prepare
    const deps = machine([]);
    // Act
    const found = await findBrowser(deps);
    // Assess
    expect(found).toEqual({ source: '@sparticuz/chromium', ...PACKAGED });
  });

  it.each([
    ['linux', 'arm64'],
    ['darwin', 'arm64'],
    ['win32', 'x64'],
  ] as const)('never unpacks @sparticuz/chromium on %s %s, where it ships no build', async (platform, arch) => {
    // Prepare
    const deps = machine([], { platform, arch });
    // Act
    const search = findBrowser(deps);
    // Assess
    await expect(search).rejects.toThrow(/ships Linux x64 only/);
    expect(deps.packagedChromium).not.toHaveBeenCalled();
  });

  it('fails, listing every place it looked and how to get a browser, when none is found', async () => {
    // Prepare
    const deps = machine([], { packagedChromium: vi.fn(async () => undefined) });
    // Act
    const error = await findBrowser(deps).catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ name: 'BrowserNotFoundError' });
    const message = (error as Error).message;
    expect(message).toMatch(/^No Chromium or Chrome was found for the dashboard test/);
    expect(message).toContain('CHROMIUM_PATH: not set');
    expect(message).toContain(`Playwright's Chromium at ${PLAYWRIGHT}: not installed`);
    expect(message).toContain('/usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome: none there');
    expect(message).toContain('@sparticuz/chromium: not installed');
    expect(message).toContain(HOW_TO_GET_A_BROWSER);
    expect(HOW_TO_GET_A_BROWSER).toMatch(/set CHROMIUM_PATH/);
    expect(HOW_TO_GET_A_BROWSER).toMatch(/@sparticuz\/chromium/);
    expect(HOW_TO_GET_A_BROWSER).toMatch(/apt-get install chromium/);
  });
});

describe('launchOptions', () => {
  it('launches headless with the flags that keep Chromium from calling Google', () => {
    // Prepare
    const found = { source: 'system', executablePath: '/usr/bin/chromium', args: [] } as const;
    // Act
    const options = launchOptions(found, false);
    // Assess
    expect(options).toMatchObject({ executablePath: '/usr/bin/chromium', headless: true, chromiumSandbox: true });
    expect(options.args).toEqual(expect.arrayContaining([...QUIET_FLAGS]));
    expect(QUIET_FLAGS).toEqual([
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ]);
  });

  it('drops the sandbox as root, where Chromium refuses to start with one', () => {
    // Prepare
    const found = { source: 'system', executablePath: '/usr/bin/chromium', args: [] } as const;
    // Act
    const options = launchOptions(found, true);
    // Assess
    expect(options.chromiumSandbox).toBe(false);
  });

  it("keeps the packaged build's own flags but not those that switch off web security", () => {
    // Prepare
    const found = {
      source: '@sparticuz/chromium',
      executablePath: PACKAGED.executablePath,
      args: ['--single-process', '--disable-web-security', '--allow-running-insecure-content', '--no-zygote'],
    } as const;
    // Act
    const options = launchOptions(found, true);
    // Assess
    expect(options.args).toEqual(expect.arrayContaining(['--single-process', '--no-zygote']));
    expect(options.args).not.toContain('--disable-web-security');
    expect(options.args).not.toContain('--allow-running-insecure-content');
  });

  it('leaves the user data dir to Playwright, which makes a fresh one per launch', () => {
    // Prepare
    const found = { source: 'system', executablePath: '/usr/bin/chromium', args: [] } as const;
    // Act
    const options = launchOptions(found, true);
    // Assess
    expect(options.args?.some((flag) => flag.startsWith('--user-data-dir'))).toBe(false);
  });
});
