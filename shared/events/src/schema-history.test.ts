import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { EVENT_TYPES } from './catalog.ts';
import { checkBackwardCompatible } from './compatibility.ts';
import { listSchemaFiles, schemaBaselines } from './schema-history.ts';
import { SCHEMA_ROOT, schemaFileOf } from './schemas.ts';

const files = listSchemaFiles(SCHEMA_ROOT);

describe('schemas/ in git history', () => {
  it('has one schema file per event type plus the envelope', () => {
    const expected = [...EVENT_TYPES.map(schemaFileOf), 'envelope.avsc']
      .map((file) => `${SCHEMA_ROOT}${file}`)
      .sort();

    expect(files).toEqual(expected);
  });

  // Composed event = envelope fields + payload field, resolved by name, so each file being
  // backward compatible on its own makes every registered schema backward compatible.
  it.each(files)('keeps %s backward compatible with its previous version', (file) => {
    const baselines = schemaBaselines(file, readFileSync(file, 'utf8'));

    for (const { label, previous, current } of baselines) {
      expect({ label, ...checkBackwardCompatible(previous, current) }).toEqual({
        label,
        compatible: true,
      });
    }
  });
});

describe('schemaBaselines', () => {
  const record = (fields: object[]): string =>
    JSON.stringify({ type: 'record', name: 'Probe', namespace: 'dev.atlas.test', fields });
  const v1 = record([{ name: 'id', type: 'string' }]);
  const v2 = record([
    { name: 'id', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ]);
  const breaking = record([
    { name: 'id', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'required', type: 'string' },
  ]);

  it('finds the last committed change and an uncommitted one, and the checker judges both', () => {
    const repo = mkdtempSync(join(tmpdir(), 'atlas-schema-history-'));
    const git = (...args: string[]): void => {
      spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo });
    };
    const file = join(repo, 'Probe.avsc');
    try {
      git('init', '-q');
      writeFileSync(file, v1);
      git('add', '.');
      git('commit', '-qm', 'v1');
      writeFileSync(file, v2);
      git('commit', '-qam', 'v2');
      writeFileSync(file, breaking);

      const baselines = schemaBaselines(file, breaking);

      expect(baselines.map(({ previous, current }) => [previous, current])).toEqual([
        [v2, breaking],
        [v1, v2],
      ]);
      expect(
        baselines.map((b) => checkBackwardCompatible(b.previous, b.current).compatible),
      ).toEqual([false, true]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('has nothing to compare for a file outside any history', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-schema-nohistory-'));
    try {
      const file = join(dir, 'New.avsc');
      writeFileSync(file, v1);

      expect(schemaBaselines(file, v1)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
