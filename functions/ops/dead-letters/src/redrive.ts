import { z } from 'zod';
import type { DeadLetter } from '@atlas/messaging/dead-letters';

/** At most this many dead letters per redrive call; a larger selection is answered in part. */
export const REDRIVE_LIMIT = 1000;

/**
 * `POST /v1/ops/dlq/replay`'s body: which dead letters to deliver again. Every selector given
 * must match (they narrow each other); at least one is required, so "everything" is never an
 * accident. `from`/`to` bound the time the delivery failed, `to` exclusive.
 */
export const redriveSelectorSchema = z
  .strictObject({
    consumer: z.string().min(1).max(100).optional(),
    eventType: z
      .string()
      .regex(/^[A-Z][A-Za-z]{1,63}$/)
      .optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    ids: z.array(z.string().min(1).max(100)).min(1).max(REDRIVE_LIMIT).optional(),
    dryRun: z.boolean().optional(),
  })
  .refine(
    (body) =>
      body.consumer !== undefined ||
      body.eventType !== undefined ||
      body.from !== undefined ||
      body.to !== undefined ||
      body.ids !== undefined,
    { error: 'Name at least one selector: consumer, eventType, from, to or ids.' },
  )
  .refine((body) => !body.from || !body.to || Date.parse(body.from) < Date.parse(body.to), {
    error: '`from` must be before `to`.',
    path: ['to'],
  });

export type RedriveSelector = z.infer<typeof redriveSelectorSchema>;

function matches(letter: DeadLetter, selector: RedriveSelector): boolean {
  if (selector.consumer !== undefined && letter.consumer !== selector.consumer) return false;
  if (selector.eventType !== undefined && letter.eventType !== selector.eventType) return false;
  if (selector.ids !== undefined && !selector.ids.includes(letter.id)) return false;
  if (selector.from !== undefined || selector.to !== undefined) {
    const failedAt = letter.failedAt === null ? Number.NaN : Date.parse(letter.failedAt);
    if (Number.isNaN(failedAt)) return false;
    if (selector.from !== undefined && failedAt < Date.parse(selector.from)) return false;
    if (selector.to !== undefined && failedAt >= Date.parse(selector.to)) return false;
  }
  return true;
}

/**
 * The dead letters a selector names, oldest failure first: redelivered in that order, one
 * order's events reach its consumer in the order they first failed.
 */
export function selectForRedrive(
  letters: readonly DeadLetter[],
  selector: RedriveSelector,
): DeadLetter[] {
  const at = (letter: DeadLetter): number =>
    letter.failedAt ? Date.parse(letter.failedAt) : Number.POSITIVE_INFINITY;
  return letters
    .filter((letter) => matches(letter, selector))
    .sort((a, b) => at(a) - at(b) || a.id.localeCompare(b.id));
}
