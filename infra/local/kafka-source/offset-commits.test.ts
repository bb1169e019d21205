import { describe, expect, it } from '@jest/globals';
import type { Consumer } from 'kafkajs';
import { createLogger } from '@atlas/observability';
import { commitOffsetsPeriodically } from './offset-commits.ts';

type Commit = Parameters<Consumer['commitOffsets']>[0];

function recordingConsumer(fail: () => boolean = () => false): {
  consumer: Pick<Consumer, 'commitOffsets'>;
  commits: Commit[];
} {
  const commits: Commit[] = [];
  return {
    commits,
    consumer: {
      commitOffsets: async (offsets) => {
        if (fail()) throw new Error('REBALANCE_IN_PROGRESS');
        commits.push(offsets);
      },
    },
  };
}

const quiet = createLogger({ service: 'test', function: 'offset-commits-test', level: 'silent' });
// Long enough that only explicit flushes commit in these tests.
const NEVER = 3_600_000;

describe('offset commits on a timer', () => {
  it('commits the offset after the last record done, once per partition', async () => {
    const { consumer, commits } = recordingConsumer();
    const offsets = commitOffsetsPeriodically(consumer, quiet, NEVER);
    offsets.done('t', 0, '4');
    offsets.done('t', 0, '5');
    offsets.done('t', 1, '9');
    await offsets.flush();
    await offsets.stop();
    expect(commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '6' },
        { topic: 't', partition: 1, offset: '10' },
      ],
    ]);
  });

  it('sends nothing when no record was done since the last commit', async () => {
    const { consumer, commits } = recordingConsumer();
    const offsets = commitOffsetsPeriodically(consumer, quiet, NEVER);
    offsets.done('t', 0, '0');
    await offsets.flush();
    await offsets.flush();
    await offsets.stop();
    expect(commits).toHaveLength(1);
  });

  it('keeps a failed commit for the next one, unless a newer offset superseded it', async () => {
    let failing = true;
    const { consumer, commits } = recordingConsumer(() => failing);
    const offsets = commitOffsetsPeriodically(consumer, quiet, NEVER);
    offsets.done('t', 0, '1');
    offsets.done('t', 1, '7');
    await offsets.flush();
    expect(commits).toEqual([]);

    failing = false;
    offsets.done('t', 0, '2');
    await offsets.stop();
    expect(commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '3' },
        { topic: 't', partition: 1, offset: '8' },
      ],
    ]);
  });

  it('commits on its own, once an interval has passed', async () => {
    const { consumer, commits } = recordingConsumer();
    const offsets = commitOffsetsPeriodically(consumer, quiet, 20);
    offsets.done('t', 2, '41');
    const deadline = Date.now() + 2_000;
    while (commits.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await offsets.stop();
    expect(commits).toEqual([[{ topic: 't', partition: 2, offset: '42' }]]);
  });
});
