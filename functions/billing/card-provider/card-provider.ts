import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import {
  chargeOf,
  SIGNATURE_HEADER,
  signatureHeader,
  type PaymentCallback,
} from '@atlas/billing-domain';
import { DependencyUnavailableError } from '@atlas/errors';
import { activeTraceparent } from '@atlas/observability';
import type { EventFunctionSpec } from '@atlas/messaging';
import { callbackOf, chargeInvoice } from './charges.ts';

export interface CardProviderOptions {
  /** The HMAC secret shared with the payment webhook. */
  readonly secret: string;
  /** `…/v1/payments/webhook` of the payment webhook function. */
  readonly webhookUrl: URL;
  readonly callbackTimeoutMs?: number;
}

async function sendCallback(
  options: CardProviderOptions,
  callback: PaymentCallback,
  correlationId: string,
): Promise<void> {
  const body = Buffer.from(JSON.stringify(callback));
  // The stand-in provider passes on W3C trace context, as a provider that supports it would, so the
  // payment's webhook call stays in the order's trace.
  const traceparent = activeTraceparent();
  let response: Response;
  try {
    response = await fetch(options.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-correlation-id': correlationId,
        ...(traceparent ? { traceparent } : {}),
        [SIGNATURE_HEADER]: signatureHeader(options.secret, body, new Date()),
      },
      body,
      signal: AbortSignal.timeout(options.callbackTimeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new DependencyUnavailableError('The payment webhook did not answer.', { cause: error });
  }
  if (!response.ok) {
    const detail = await response.text();
    throw new DependencyUnavailableError(
      `The payment webhook answered ${response.status} to callback ${callback.callbackId}: ${detail}`,
    );
  }
}

/**
 * The simulated card provider (contract §4): on InvoiceCreated it charges an OPEN invoice once and
 * posts the signed callback to the webhook. Until the webhook accepts it the event fails with 503,
 * so the KafkaSource delivers it again and the same charge's same callback is sent again.
 */
export function cardProviderConsumer(
  sql: Sql,
  options: CardProviderOptions,
): EventFunctionSpec<'InvoiceCreated'> {
  return {
    name: definition.name,
    service: definition.service,
    eventTypes: ['InvoiceCreated'],
    handle: async (tx, event, { logger }) => {
      const { invoiceId } = event.payload;
      const charge = (await chargeOf(sql, invoiceId)) ?? (await chargeInvoice(sql, tx, invoiceId));
      if (!charge) {
        logger.info({ invoiceId }, 'invoice no longer OPEN; not charged');
        return;
      }
      await sendCallback(options, callbackOf(charge), event.correlationId);
      logger.info(
        { invoiceId, chargeId: charge.charge_id, outcome: charge.outcome },
        'charge reported to the webhook',
      );
    },
  };
}
