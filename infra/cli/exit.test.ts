import { describe, expect, it } from '@jest/globals';
import { CliError, EXIT, exitCodeForError, exitCodeForStatus, UsageError } from './exit.ts';
import { HttpProblem } from './http.ts';

describe('exit codes', () => {
  it.each([
    [200, undefined, EXIT.ok],
    [202, undefined, EXIT.ok],
    [400, undefined, EXIT.problems],
    [404, undefined, EXIT.problems],
    [409, undefined, EXIT.problems],
    [422, undefined, EXIT.problems],
    [401, undefined, EXIT.auth],
    [403, 'ATLAS_SEPARATION_OF_DUTIES', EXIT.auth],
    [502, 'ATLAS_REPLAY_REJECTED', EXIT.problems],
    [502, undefined, EXIT.unreachable],
    [503, undefined, EXIT.unreachable],
    [504, undefined, EXIT.unreachable],
    [500, undefined, EXIT.problems],
  ])('HTTP %d (%s) → %d', (status, code, exit) => {
    expect(exitCodeForStatus(status, code)).toBe(exit);
  });

  it('maps thrown errors', () => {
    expect(exitCodeForError(new UsageError('x'))).toBe(EXIT.usage);
    expect(exitCodeForError(new CliError(EXIT.auth, 'x'))).toBe(EXIT.auth);
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(exitCodeForError(refused)).toBe(EXIT.unreachable);
    expect(exitCodeForError(new DOMException('timed out', 'TimeoutError'))).toBe(EXIT.unreachable);
    expect(exitCodeForError(new Error('boom'))).toBe(EXIT.problems);
  });

  it('an HTTP problem carries its exit code and prints as title: detail', () => {
    const problem = new HttpProblem(
      502,
      {
        title: 'The consumer did not accept the replayed event',
        detail: 'reservations answered 503',
        code: 'ATLAS_REPLAY_REJECTED',
      },
      '',
    );
    expect(problem.exitCode).toBe(EXIT.problems);
    expect(problem.message).toBe(
      'The consumer did not accept the replayed event: reservations answered 503',
    );
    expect(new HttpProblem(403, { title: 'Forbidden' }, '').exitCode).toBe(EXIT.auth);
  });
});
