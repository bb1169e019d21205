import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadCatalog } from '@atlas/catalog';
import { importedPackages, packageOf } from './package-imports.ts';

// A function's package.json declares exactly what its code imports (issue 14): nothing copied from
// a neighbour, nothing missing. Tests take theirs from the workspace root.
describe("each function's package.json", () => {
  it('declares exactly the packages its code imports', () => {
    const drift: Record<string, { declared: string[]; imported: string[] }> = {};
    for (const entry of loadCatalog()) {
      const manifest = JSON.parse(readFileSync(join(entry.directory, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
      };
      const declared = Object.keys(manifest.dependencies ?? {}).sort();
      const imported = [...importedPackages(entry.directory, manifest.name)].sort();
      if (declared.join() !== imported.join()) drift[entry.qualifiedName] = { declared, imported };
    }
    expect(drift).toEqual({});
  });
});

describe('importedPackages', () => {
  it('names packages by scope and name, follows relative imports out of the folder, skips tests and built-ins', () => {
    const root = mkdtempSync(join(tmpdir(), 'atlas-imports-'));
    mkdirSync(join(root, 'fn'));
    mkdirSync(join(root, 'lib'));
    writeFileSync(
      join(root, 'fn', 'main.ts'),
      "import { a } from '@atlas/http/testing';\nimport { readFileSync } from 'node:fs';\nimport { b } from '../lib/b.ts';\nimport def from './function.json' with { type: 'json' };\n",
    );
    writeFileSync(join(root, 'fn', 'main.test.ts'), "import { c } from '@jest/globals';\n");
    writeFileSync(join(root, 'lib', 'b.ts'), "export { z } from 'zod/mini';\n");

    expect([...importedPackages(join(root, 'fn'))].sort()).toEqual(['@atlas/http', 'zod']);
    expect([packageOf('@kafkajs/confluent-schema-registry'), packageOf('./x.ts')]).toEqual([
      '@kafkajs/confluent-schema-registry',
      undefined,
    ]);
  });
});
