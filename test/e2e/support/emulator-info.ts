import { pinnedMinistackVersion } from '../../../emulator/ministack.js';

/** Which emulator answers at an endpoint. */
export interface EmulatorInfo {
  readonly product: 'ministack' | 'other';
  readonly version?: string;
  /** True for the ministack version emulator/requirements.txt pins: the one the gap list describes. */
  readonly isPinnedMinistack: boolean;
  /** `ministack 1.5.33`, for test names and messages. */
  readonly label: string;
}

/** Reads the product and version from ministack's health endpoint (LocalStack has none by that path). */
export async function emulatorInfo(endpoint: string): Promise<EmulatorInfo> {
  const pinned = pinnedMinistackVersion();
  try {
    const res = await fetch(`${endpoint}/_ministack/health`, { signal: AbortSignal.timeout(5000) });
    if (res.ok) {
      const body = (await res.json()) as { version?: string };
      if (body.version) {
        return {
          product: 'ministack',
          version: body.version,
          isPinnedMinistack: body.version === pinned,
          label: `ministack ${body.version}`,
        };
      }
    }
  } catch {
    // Not ministack.
  }
  return { product: 'other', isPinnedMinistack: false, label: 'a non-ministack emulator' };
}
