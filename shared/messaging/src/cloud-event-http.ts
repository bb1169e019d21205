/**
 * CloudEvents HTTP binding §3.1.3.2: header values are percent-encoded outside printable ASCII,
 * and `"` and `%` are encoded too, so a UTF-8 attribute survives the trip and CR/LF cannot split a
 * header. Used wherever a CloudEvent becomes an HTTP request: the local KafkaSource and the
 * dead-letter replays.
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
