import { z } from 'zod';
import { MAX_DECISION_TEXT } from '@atlas/workflow-domain';

/**
 * The body of `POST /v1/approvals/:approvalId/approve`: an optional comment. No body at all is
 * the same as `{}`: approving needs nothing more than the approver's token.
 */
export const approveBodySchema = z
  .strictObject({ comment: z.string().trim().max(MAX_DECISION_TEXT).optional() })
  .optional();
