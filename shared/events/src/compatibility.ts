import avro from 'avsc';
import type { Schema } from 'avsc';

export type CompatibilityResult =
  { readonly compatible: true } | { readonly compatible: false; readonly reason: string };

/**
 * BACKWARD compatibility as the registry defines it: a consumer using `newSchemaJson` can
 * read every record written with `oldSchemaJson` (avsc builds a resolver, or throws when a
 * reader field has no writer counterpart and no default, a type cannot be promoted, …).
 *
 * @example
 * checkBackwardCompatible(previousText, currentText); // { compatible: true }
 */
export function checkBackwardCompatible(
  oldSchemaJson: string,
  newSchemaJson: string,
): CompatibilityResult {
  let oldType: avro.Type;
  let newType: avro.Type;
  try {
    oldType = avro.Type.forSchema(JSON.parse(oldSchemaJson) as Schema);
    newType = avro.Type.forSchema(JSON.parse(newSchemaJson) as Schema);
  } catch (error) {
    return { compatible: false, reason: `not a valid Avro schema: ${String(error)}` };
  }
  try {
    newType.createResolver(oldType);
    return { compatible: true };
  } catch (error) {
    return { compatible: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
