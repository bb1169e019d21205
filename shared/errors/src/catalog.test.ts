import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import * as errors from './index.ts';
import { AtlasError, problemSlug } from './index.ts';

const DOC = new URL('../../../docs/api/errors.md', import.meta.url);

interface Row {
  code: string;
  status: number;
  type: string;
  retriable: boolean;
}

function documentedRows(): Row[] {
  return readFileSync(DOC, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| `ATLAS_'))
    .map((line) => {
      const [code = '', status = '', type = '', retriable = ''] = line
        .split('|')
        .slice(1)
        .map((cell) => cell.trim().replaceAll('`', ''));
      return { code, status: Number(status), type, retriable: retriable === 'yes' };
    });
}

function codeRows(): Row[] {
  const exported: readonly unknown[] = Object.values(errors);
  return exported
    .filter(
      (value): value is new (message: string) => AtlasError =>
        typeof value === 'function' && value.prototype instanceof AtlasError,
    )
    .map((ErrorClass) => {
      const error = new ErrorClass('probe');
      return {
        code: error.code,
        status: error.status,
        type: problemSlug(error.code),
        retriable: error.retriable,
      };
    });
}

describe('the error catalog', () => {
  it('documents every error code with its status, problem type and retriable flag, and nothing else', () => {
    const byCode = (a: Row, b: Row): number => a.code.localeCompare(b.code);
    expect(documentedRows().sort(byCode)).toEqual(codeRows().sort(byCode));
  });
});
