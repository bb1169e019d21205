import { z } from 'zod';
import { MAX_DECISION_TEXT } from '@atlas/workflow-domain';

/** The body of `POST /v1/approvals/:approvalId/reject`: why, required and not blank. */
export const rejectBodySchema = z.strictObject({
  reason: z.string().trim().min(1, 'a reason is required').max(MAX_DECISION_TEXT),
});
