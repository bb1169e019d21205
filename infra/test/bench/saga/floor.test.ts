import { describe, expect, it, jest } from '@jest/globals';
import { loadStackConfig } from '@atlas/config';
import { resolvePaths } from '../../../local/lib/paths.ts';
import { hopFloor, measureHttpDelivery, measureKafkaRecord } from './floor.ts';
import { stackProcesses } from './processes.ts';

// The hop floor's parts against real processes: a forked bare consumer over real HTTP, the
// stack's own Kafka broker. What they return is CPU read from /proc, so only its shape and
// bounds can be held here; the figures themselves belong to `npm run bench`.
jest.setTimeout(90_000);

describe('the hop floor', () => {
  it('prices a saga as its hops times what each costs bare, command hops included', () => {
    const floor = hopFloor(
      { deliveries: 24, records: 6, commits: 30 },
      { httpDeliveryCpuMs: 0.25, kafkaRecordCpuMs: 1.5, commitCpuMs: 0.5 },
      4,
    );

    expect(floor.cpuMsPerSaga).toBeCloseTo((24 + 2) * 0.25 + 6 * 1.5 + 30 * 0.5, 9);
    expect(floor.perSaga.commandHops).toBe(2);
    expect(floor.kafkaGroupsPerRecord).toBe(4);
  });

  it('times every paced delivery to a bare consumer process and charges both ends', async () => {
    const cost = await measureHttpDelivery({ rate: 200, seconds: 0.5 });

    expect(cost.units).toBe(100);
    expect(cost.seconds).toBeGreaterThanOrEqual(0.45);
    // A loopback POST costs tens to hundreds of µs of CPU here; nothing near a core per request.
    expect(cost.cpuMsPerUnit).toBeGreaterThan(0);
    expect(cost.cpuMsPerUnit).toBeLessThan(10);
  });

  it('waits until every consumer group has read every record it produced', async () => {
    const kafka = stackProcesses(resolvePaths().run).find((entry) => entry.group === 'kafka');
    expect(kafka).toBeDefined();

    const cost = await measureKafkaRecord({
      brokers: loadStackConfig().kafka.brokers,
      brokerPid: kafka?.pid ?? 0,
      groups: 2,
      rate: 50,
      seconds: 1,
    });

    expect(cost.units).toBe(50);
    expect(cost.cpuMsPerUnit).toBeGreaterThan(0);
    expect(cost.cpuMsPerUnit).toBeLessThan(100);
  });
});
