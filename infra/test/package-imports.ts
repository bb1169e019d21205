import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * What a workspace package imports, so its `package.json` can be held to it (issue 14): the
 * packages named by the import specifiers of its non-test `.ts` files, without `node:` built-ins
 * and JSON files, and the relative imports that leave its folder (another package's code, which
 * is imported by its name instead).
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

export interface PackageImports {
  /** The packages imported, the package's own name left out. */
  readonly packages: Set<string>;
  /** `<file>: <specifier>` of each relative import that leaves the package's folder. */
  readonly outside: string[];
}

/** What the package in `directory` imports. */
export function importsOf(directory: string, ownName?: string): PackageImports {
  const packages = new Set<string>();
  const outside: string[] = [];
  for (const file of sourceFiles(directory)) {
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? '';
      const name = packageOf(specifier);
      if (name && !specifier.endsWith('.json')) {
        if (name !== ownName) packages.add(name);
      } else if (
        specifier.startsWith('.') &&
        !resolve(dirname(file), specifier).startsWith(directory + sep)
      ) {
        outside.push(`${relative(directory, file)}: ${specifier}`);
      }
    }
  }
  return { packages, outside };
}

/** Every workspace package folder below `root` (`functions/`): `<service>/<name>` with a package.json. */
export function workspaceFolders(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((service) => service.isDirectory())
    .flatMap((service) =>
      readdirSync(join(root, service.name)).map((name) => join(root, service.name, name)),
    )
    .filter((directory) => existsSync(join(directory, 'package.json')));
}
