import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest } from './backup.ts';

// The restore reads the manifest before it stops anything: a wrong folder must fail right there.
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-backup-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const manifest = {
  format: 1,
  createdAt: '2026-12-06T02:00:00.000Z',
  databases: [{ service: 'order', database: 'atlas_order', file: 'atlas_order.dump', bytes: 1 }],
  kafka: { file: 'kafka-log-dirs.tar.gz', bytes: 1 },
  pausedMs: 1,
};

describe('a backup folder', () => {
  it('is read when its manifest names files that are there', () => {
    const dir = folder({
      'manifest.json': JSON.stringify(manifest),
      'atlas_order.dump': 'x',
      'kafka-log-dirs.tar.gz': 'x',
    });
    expect(readManifest(dir).databases[0]?.database).toBe('atlas_order');
  });

  it('is refused without a manifest, with another format, or with a file missing', () => {
    expect(() => readManifest(folder({}))).toThrow(/not a backup folder/);
    expect(() =>
      readManifest(folder({ 'manifest.json': JSON.stringify({ ...manifest, format: 2 }) })),
    ).toThrow(/unknown backup format 2/);
    expect(() =>
      readManifest(folder({ 'manifest.json': JSON.stringify(manifest), 'atlas_order.dump': 'x' })),
    ).toThrow(/lacks kafka-log-dirs.tar.gz/);
  });
});
