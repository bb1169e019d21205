import { z } from 'zod';

/** The route parameters of `/v1/approvals/:approvalId/…`; a well-formed unknown id is a 404. */
export const approvalParamsSchema = z.strictObject({
  approvalId: z.string().regex(/^[\w-]{1,128}$/, '1-128 letters, digits, "_" or "-"'),
});

/** Free text a person types into a decision; bounded so the audit of it stays readable. */
export const MAX_DECISION_TEXT = 2000;
