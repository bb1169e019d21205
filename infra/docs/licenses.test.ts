import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  LICENSES_DOC,
  isAllowedLicence,
  licenceOffenders,
  readNpmPackages,
  renderLicensesDoc,
  unusedExceptions,
} from './licenses.ts';
import { withoutTablePadding } from './markdown.ts';

const packages = readNpmPackages();

describe('the licences of the npm dependency tree', () => {
  it('are all on the allow-list or reviewed exceptions', () => {
    const offenders = licenceOffenders(packages).map(
      (pkg) => `${pkg.name}@${pkg.version}: ${pkg.licence} (${pkg.scope})`,
    );
    expect(offenders).toEqual([]);
  });

  it('need every reviewed exception still', () => {
    expect(unusedExceptions(packages)).toEqual([]);
  });

  it('are judged as SPDX expressions', () => {
    expect(isAllowedLicence('MIT')).toBe(true);
    expect(isAllowedLicence('(MIT OR GPL-3.0-only)')).toBe(true);
    expect(isAllowedLicence('Apache-2.0 AND MIT')).toBe(true);
    expect(isAllowedLicence('MIT AND GPL-3.0-only')).toBe(false);
    expect(isAllowedLicence('GPL-2.0-only WITH Classpath-exception-2.0')).toBe(false);
    expect(isAllowedLicence('SSPL-1.0')).toBe(false);
    expect(isAllowedLicence('UNKNOWN')).toBe(false);
    expect(isAllowedLicence('MIT OR')).toBe(false);
  });
});

describe('docs/COST_AND_LICENSING.md', () => {
  it('lists exactly the packages of the lockfile, as the generator writes it', () => {
    expect(withoutTablePadding(readFileSync(LICENSES_DOC, 'utf8'))).toEqual(
      withoutTablePadding(renderLicensesDoc(packages)),
    );
  });
});
