import { join } from 'node:path';
import { build } from 'esbuild';

/** A function process's code: its entry and where its bundle goes. */
export interface BundleTarget {
  readonly name: string;
  readonly entryPath: string;
}

/**
 * esbuild's output is ESM; CommonJS dependencies inside it (kafkajs, pino, ioredis, …) still call
 * `require`, which an ES module does not have: the banner gives it one.
 */
const REQUIRE_SHIM =
  "import { createRequire as __atlasCreateRequire } from 'node:module';\n" +
  'const require = __atlasCreateRequire(import.meta.url);';

/** Where a process's bundle is written. */
export function bundlePath(bundlesDir: string, name: string): string {
  return join(bundlesDir, `${name}.mjs`);
}

/**
 * Bundles every function process's code, one file each, as the images will hold them (issue 11):
 * Node then loads one module instead of hundreds of `.ts` files stripped of their types one by
 * one, which is most of a process's memory (a consumer measured 140 MB at start from sources,
 * about 90 from its bundle). Identifiers are kept, so stack traces still name functions.
 * Run-time files (schemas, the catalog, migrations) are read from `ATLAS_REPO_ROOT`.
 */
export async function buildBundles(
  targets: readonly BundleTarget[],
  bundlesDir: string,
): Promise<void> {
  await build({
    entryPoints: Object.fromEntries(targets.map((target) => [target.name, target.entryPath])),
    outdir: bundlesDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minifyWhitespace: true,
    minifySyntax: true,
    banner: { js: REQUIRE_SHIM },
    logLevel: 'error',
  });
}
