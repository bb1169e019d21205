import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { loadStackConfig } from '@atlas/config';

const registryUrl = loadStackConfig().schemaRegistry.url;
const registry = new SchemaRegistry({ host: registryUrl });
const recordSchema: {
  type: 'record';
  name: string;
  namespace: string;
  fields: { name: string; type: string }[];
} = {
  type: 'record',
  name: 'FoundationProbe',
  namespace: 'dev.atlas.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'quantity', type: 'int' },
  ],
};
// Subject strategy of the contract: topic + fully qualified record name.
const subject = `atlas.test.registry.${randomUUID()}-dev.atlas.test.FoundationProbe`;

describe('Apicurio registry through the Confluent-compatible API', () => {
  afterAll(async () => {
    await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' });
  });

  it('registers an Avro schema, encodes in the Confluent wire format and decodes it back', async () => {
    const type = avro.Type.forSchema(recordSchema);
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(type.schema()) },
      { subject },
    );
    const value = { id: randomUUID(), quantity: 3 };

    const encoded = await registry.encode(id, value);

    expect(encoded.readUInt8(0)).toBe(0); // magic byte
    expect(encoded.readUInt32BE(1)).toBe(id); // schema id, big-endian
    expect(type.fromBuffer(encoded.subarray(5))).toEqual(value); // plain Avro binary after the 5-byte header
    expect(await registry.decode(encoded)).toEqual(value);
  });

  it('rejects a change that breaks BACKWARD compatibility once that level is set', async () => {
    const config = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    expect(config.status).toBe(200);
    const incompatible = {
      ...recordSchema,
      fields: [...recordSchema.fields, { name: 'required', type: 'string' }],
    };

    await expect(
      registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(incompatible) },
        { subject },
      ),
    ).rejects.toThrow();
  });
});
