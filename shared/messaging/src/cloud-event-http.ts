import type { IHeaders } from 'kafkajs';

/**
 * The CloudEvents Kafka → HTTP binding, binary mode, written once for every place a record
 * becomes an HTTP request: the local KafkaSource's deliveries and the ops replay of a dead letter.
 * (The producing side is `cloudEventKafkaHeaders`; the receiving side, `eventFunction`.)
 */

/**
 * CloudEvents HTTP binding §3.1.3.2: header values are percent-encoded outside printable ASCII,
 * and `"` and `%` are encoded too, so a UTF-8 attribute survives the trip and CR/LF cannot split a
 * header.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const printable = byte >= 0x20 && byte <= 0x7e && byte !== 0x22 && byte !== 0x25;
    out += printable
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A record header's text; a header repeated on the record counts by its last value, as the Kafka binding says. */
export function kafkaHeaderText(headers: IHeaders | undefined, name: string): string | null {
  const value = headers?.[name];
  if (value === undefined) return null;
  const one = Array.isArray(value) ? value.at(-1) : value;
  return one === undefined ? null : one.toString();
}

/**
 * The HTTP headers of a binary-mode CloudEvent from its Kafka record's headers: every `ce_<attr>`
 * as `ce-<attr>` (percent-encoded), and its `content-type`. Null for a record that is no binary-mode
 * CloudEvent (no `ce_specversion`). `skip` leaves out attributes by their Kafka header name.
 */
export function httpHeadersOfKafkaCloudEvent(
  headers: IHeaders | undefined,
  skip: (kafkaHeader: string) => boolean = () => false,
): Record<string, string> | null {
  if (kafkaHeaderText(headers, 'ce_specversion') === null) return null;
  const http: Record<string, string> = {};
  const contentType = kafkaHeaderText(headers, 'content-type');
  if (contentType !== null) http['content-type'] = contentType;
  for (const name of Object.keys(headers ?? {})) {
    if (!name.startsWith('ce_') || skip(name)) continue;
    const text = kafkaHeaderText(headers, name);
    if (text !== null) http[`ce-${name.slice(3)}`] = percentEncode(text);
  }
  return http;
}
