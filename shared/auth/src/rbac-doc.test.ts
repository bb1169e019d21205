import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { PERMISSIONS, ROLES } from './index.ts';

const DOC = new URL('../../../docs/security-rbac-matrix.md', import.meta.url);

describe('the RBAC matrix document', () => {
  it('lists every permission with exactly the roles the code grants it', () => {
    const documented = Object.fromEntries(
      readFileSync(DOC, 'utf8')
        .split('\n')
        .filter((line) => /^\|\s*`[a-z]+:[a-z]+`\s*\|/.test(line))
        .map((line) => {
          const cells = line
            .split('|')
            .slice(1, -1)
            .map((cell) => cell.trim());
          const permission = (cells[0] ?? '').replaceAll('`', '');
          return [permission, ROLES.filter((_role, index) => cells[index + 1] === '✓')];
        }),
    );
    const granted = Object.fromEntries(
      Object.entries(PERMISSIONS).map(([permission, roles]) => [
        permission,
        ROLES.filter((role) => (roles as readonly string[]).includes(role)),
      ]),
    );

    expect(documented).toEqual(granted);
  });
});
