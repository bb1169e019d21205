import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { isStale, newestSourceMtime } from './freshness.ts';

function file(root: string, path: string, mtimeMs: number): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, '');
  utimesSync(full, mtimeMs / 1000, mtimeMs / 1000);
}

describe('source freshness', () => {
  const started = Date.parse('2026-11-28T10:00:00Z');

  it('finds the newest runtime source, ignoring tests, docs and node_modules', () => {
    const root = mkdtempSync(join(tmpdir(), 'atlas-fresh-'));
    file(root, 'order/place-order/main.ts', started - 5_000);
    file(root, 'order/place-order/place.test.ts', started + 5_000);
    file(root, 'order/README.md', started + 5_000);
    file(root, 'order/node_modules/x/index.js', started + 5_000);
    expect(newestSourceMtime([root])).toBe(started - 5_000);
    expect(isStale(started, [root])).toBe(false);
  });

  it('calls a process stale once a source under any of its roots changed after its start', () => {
    const shared = mkdtempSync(join(tmpdir(), 'atlas-fresh-'));
    const own = mkdtempSync(join(tmpdir(), 'atlas-fresh-'));
    file(own, 'main.ts', started - 60_000);
    file(shared, 'http/src/serve.ts', started + 1_000);
    expect(isStale(started, [own])).toBe(false);
    expect(isStale(started, [own, shared])).toBe(true);
  });

  it('treats a root that does not exist as holding nothing', () => {
    expect(newestSourceMtime([join(tmpdir(), 'atlas-no-such-folder')])).toBe(0);
  });
});
