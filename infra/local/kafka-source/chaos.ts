/**
 * Delivery faults a drill can switch on in the local KafkaSource for a while (docs/drills.md):
 * what at-least-once delivery does on a bad day, within the guarantees Knative's ordered
 * KafkaSource gives, so whatever the functions must tolerate and nothing they need not.
 * - Duplicates: a delivered record is delivered again a moment later, after newer records of
 *   its partition, as a redelivery after a rebalance or a lost commit would.
 * - Reordering across partitions and topics: a record waits a random while before its delivery,
 *   which holds back its own partition only, so other partitions and topics overtake it. Order
 *   within a partition holds, as it does in the cluster.
 */
export interface ChaosSettings {
  readonly seconds: number;
  /** Share of delivered records delivered a second time, in [0, 1]. */
  readonly duplicateRate: number;
  /** Share of records held back before their delivery, in [0, 1]. */
  readonly delayRate: number;
  /** Upper bound of a hold-back and of a duplicate's lag, in ms. */
  readonly maxDelayMs: number;
}

export interface ChaosState extends ChaosSettings {
  readonly activeUntil: number;
  readonly duplicated: number;
  readonly delayed: number;
}

export interface Chaos {
  arm(settings: ChaosSettings): ChaosState;
  state(): ChaosState | undefined;
  /** How long to hold this record back before delivering it; 0 for no wait. */
  holdBackMs(): number;
  /** After how many ms to deliver this delivered record again, or undefined for never. */
  duplicateAfterMs(): number | undefined;
}

export class ChaosSettingsError extends Error {}

const MAX_SECONDS = 600;
const MAX_DELAY_MS = 10_000;

/** Reads settings from a query (`seconds`, `duplicateRate`, `delayRate`, `maxDelayMs`). */
export function parseChaosSettings(query: URLSearchParams): ChaosSettings {
  const number = (name: string, fallback: number, max: number): number => {
    const text = query.get(name);
    const value = text === null ? fallback : Number(text);
    if (!(Number.isFinite(value) && value >= 0 && value <= max))
      throw new ChaosSettingsError(`${name} must be a number in [0, ${max}], got "${text}"`);
    return value;
  };
  const settings = {
    seconds: number('seconds', 0, MAX_SECONDS),
    duplicateRate: number('duplicateRate', 0.2, 1),
    delayRate: number('delayRate', 0.2, 1),
    maxDelayMs: number('maxDelayMs', 500, MAX_DELAY_MS),
  };
  if (settings.seconds === 0) throw new ChaosSettingsError('seconds must be given and above 0');
  return settings;
}

export function createChaos(
  now: () => number = Date.now,
  random: () => number = Math.random,
): Chaos {
  let armed: (ChaosSettings & { activeUntil: number }) | undefined;
  let duplicated = 0;
  let delayed = 0;
  const active = (): (ChaosSettings & { activeUntil: number }) | undefined =>
    armed && now() < armed.activeUntil ? armed : undefined;
  const state = (): ChaosState | undefined => armed && { ...armed, duplicated, delayed };
  return {
    arm(settings) {
      armed = { ...settings, activeUntil: now() + settings.seconds * 1000 };
      duplicated = 0;
      delayed = 0;
      return { ...armed, duplicated, delayed };
    },
    state,
    holdBackMs() {
      const settings = active();
      if (!settings || random() >= settings.delayRate) return 0;
      delayed += 1;
      return Math.round(random() * settings.maxDelayMs);
    },
    duplicateAfterMs() {
      const settings = active();
      if (!settings || random() >= settings.duplicateRate) return undefined;
      duplicated += 1;
      return Math.round(random() * settings.maxDelayMs);
    },
  };
}
