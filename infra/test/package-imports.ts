import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * What a workspace package imports, so its `package.json` can be held to it (issue 14): the
 * packages named by the import specifiers of its non-test `.ts` files, following relative imports
 * into sibling folders (a service's domain library, `functions/ops/dead-letters/`), without
 * `node:` built-ins and JSON files.
 */
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/'))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The packages the package in `directory` imports, its own name left out. */
export function importedPackages(directory: string, ownName?: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = sourceFiles(directory);
  while (queue.length > 0) {
    const file = queue.pop() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.endsWith('.json')) continue;
      const name = packageOf(specifier);
      if (name) {
        if (name !== ownName) packages.add(name);
      } else if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (existsSync(target) && target.endsWith('.ts') && !target.startsWith(directory))
          queue.push(target);
      }
    }
  }
  return packages;
}
