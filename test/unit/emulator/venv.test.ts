import { describe, expect, it } from 'vitest';
import { normalizedName, parsePins, pinnedVersion, pinnedVersions } from '../../../emulator/venv.js';

describe('parsePins', () => {
  it('reads name==version lines by normalized name, skipping comments and blank lines', () => {
    // Prepare
    const text =
      '# tools\nministack==1.5.33\n\nPyYAML==6.0.3\njsonschema_rs==0.60.3  # rust\ntyping.extensions==4.16.0\n';
    // Act
    const pins = parsePins(text);
    // Assess
    expect([...pins]).toEqual([
      ['ministack', '1.5.33'],
      ['pyyaml', '6.0.3'],
      ['jsonschema-rs', '0.60.3'],
      ['typing-extensions', '4.16.0'],
    ]);
  });

  it('normalizes names as pip compares them', () => {
    expect(normalizedName('Typing__Extensions')).toBe('typing-extensions');
    expect(normalizedName('MarkupSafe')).toBe('markupsafe');
  });
});

describe('emulator/requirements.txt', () => {
  it('pins ministack and Schemathesis, each with an exact version, in the one venv', () => {
    // Act
    const pins = pinnedVersions();
    // Assess
    expect(pinnedVersion('ministack')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pinnedVersion('schemathesis')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pins.size).toBeGreaterThan(30);
  });

  it('says which file lacks a pin', () => {
    expect(() => pinnedVersion('not-a-tool')).toThrow(/requirements\.txt has no "not-a-tool==<version>" line/);
  });
});
