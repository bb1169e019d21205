import { describe, expect, it } from '@jest/globals';
import { ChaosSettingsError, createChaos, parseChaosSettings } from './chaos.ts';

describe('injected delivery faults', () => {
  it('do nothing until armed, and nothing once their time is up', () => {
    let now = 1_000;
    const chaos = createChaos(
      () => now,
      () => 0,
    );
    expect(chaos.holdBackMs()).toBe(0);
    expect(chaos.duplicateAfterMs()).toBeUndefined();
    chaos.arm({ seconds: 2, duplicateRate: 1, delayRate: 1, maxDelayMs: 400 });
    expect(chaos.duplicateAfterMs()).toBe(0);
    now += 2_000;
    expect(chaos.duplicateAfterMs()).toBeUndefined();
    expect(chaos.state()).toMatchObject({ duplicated: 1, delayed: 0 });
  });

  it('hold back and duplicate the share of records they were armed with', () => {
    const rolls = [0.1, 0.5, 0.3, 0.9];
    const chaos = createChaos(Date.now, () => rolls.shift() ?? 0);
    chaos.arm({ seconds: 60, duplicateRate: 0.2, delayRate: 0.2, maxDelayMs: 1_000 });
    expect(chaos.holdBackMs()).toBe(500); // rolled 0.1 < 0.2, then 0.5 of 1000 ms
    expect(chaos.duplicateAfterMs()).toBeUndefined(); // rolled 0.3 ≥ 0.2
    expect(chaos.holdBackMs()).toBe(0); // rolled 0.9
  });

  it('are read from a query with defaults, and refused out of range', () => {
    expect(parseChaosSettings(new URLSearchParams('seconds=30'))).toEqual({
      seconds: 30,
      duplicateRate: 0.2,
      delayRate: 0.2,
      maxDelayMs: 500,
    });
    for (const query of ['', 'seconds=0', 'seconds=30&delayRate=-1', 'seconds=abc', 'seconds=9999'])
      expect(() => parseChaosSettings(new URLSearchParams(query))).toThrow(ChaosSettingsError);
  });
});
