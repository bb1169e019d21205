import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { FUNCTIONS_DOC, renderFunctionsDoc } from './functions-doc.ts';
import { withoutTablePadding } from './markdown.ts';

describe('docs/functions.md', () => {
  it('lists exactly the functions of the catalog, as the catalog defines them', () => {
    expect(withoutTablePadding(readFileSync(FUNCTIONS_DOC, 'utf8'))).toEqual(
      withoutTablePadding(renderFunctionsDoc()),
    );
  });
});
