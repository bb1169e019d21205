import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { REPO_ROOT } from '../local/lib/paths.ts';

/**
 * The GitHub Actions workflows, validated by GitHub's own workflow schema and parser
 * (@actions/workflow-parser, the one behind the Actions language server): structure, keys,
 * expressions and the contexts each expression may use. No workflow is run here.
 */

const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
const files = existsSync(WORKFLOWS)
  ? readdirSync(WORKFLOWS)
      .filter((file) => /\.ya?ml$/.test(file))
      .sort()
  : [];

/** The validator's messages for one workflow, each `file (line:column): message`. */
function problemsOf(name: string, content: string): string[] {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const problems = result.context.errors.getErrors().map((error) => {
    const at = error.range ? ` (${error.range.start.line}:${error.range.start.column})` : '';
    return `.github/workflows/${name}${at}: ${error.rawMessage}`;
  });
  if (result.value === undefined && problems.length === 0)
    problems.push(`.github/workflows/${name}: not a workflow`);
  return problems;
}

describe('the GitHub Actions workflows', () => {
  it('are the ones the project promises', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'ci.yml',
        'codeql.yml',
        'dependency-review.yml',
        'images.yml',
        'release.yml',
      ]),
    );
  });

  it.each(files)('%s is valid for GitHub’s workflow schema', (file) => {
    expect(problemsOf(file, readFileSync(join(WORKFLOWS, file), 'utf8'))).toEqual([]);
  });

  it.each(files)('%s says it was validated by schema only, never run from here', (file) => {
    expect(readFileSync(join(WORKFLOWS, file), 'utf8')).toMatch(
      /^# NOT RUN YET: these workflows have never been run from this repository's development machines/,
    );
  });

  it('pins every action to a major version or a full commit', () => {
    const loose = files.flatMap((file) =>
      readFileSync(join(WORKFLOWS, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => {
          const uses = /^\s*(?:-\s+)?uses:\s*(\S+)/.exec(line)?.[1];
          if (uses === undefined || uses.startsWith('./') || uses.startsWith('docker://'))
            return [];
          return /@(v\d+|[0-9a-f]{40})$/.test(uses)
            ? []
            : [`.github/workflows/${file}:${index + 1}: ${uses}`];
        }),
    );
    expect(loose).toEqual([]);
  });

  it('report a broken workflow with the validator’s messages', () => {
    const problems = problemsOf(
      'broken.yml',
      [
        'on: push',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-latest',
        '    step:',
        '      - run: echo ${{ secret.TOKEN }}',
      ].join('\n'),
    );
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(/broken\.yml \(\d+:\d+\): .*step/);
  });
});
