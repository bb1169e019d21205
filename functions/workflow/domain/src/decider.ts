import { InternalError } from '@atlas/errors';
import type { Decider } from './approval.ts';

/**
 * The person who decides: the verified token's subject and username. A decision route without
 * authentication is a wiring bug, never an anonymous decision.
 */
export function deciderOf(
  principal: { readonly subject: string; readonly username: string } | undefined,
): Decider {
  if (!principal) throw new InternalError('a decision needs an authenticated caller');
  return { subject: principal.subject, username: principal.username };
}
