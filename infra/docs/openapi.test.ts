import { stuckOrdersQuerySchema } from '@atlas/order-domain';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { PERMISSIONS } from '@atlas/auth';
import { paymentCallbackSchema } from '@atlas/billing-domain';
import { loadCatalog } from '@atlas/catalog';
import * as errors from '@atlas/errors';
import { redriveSelectorSchema } from '@atlas/ops-dead-letters';
import { listOrdersQuerySchema, placeOrderBodySchema } from '@atlas/order-domain';
import { ledgerQuerySchema } from '../../functions/billing/list-ledger/ledger-query.ts';
import { receiptBodySchema } from '../../functions/inventory/receive-stock/receive-stock.ts';
import { setStockBodySchema } from '../../functions/inventory/set-stock/set-stock.ts';
import { listDeadLettersQuerySchema } from '../../functions/ops/list-dead-letters/routes.ts';
import { assertNoCancelFields } from '../../functions/order/cancel-order/cancel-order.ts';
import { dailySalesQuerySchema } from '../../functions/reporting/daily-sales/sales-days.ts';
import { listOrdersQuerySchema as orderReportQuerySchema } from '../../functions/reporting/list-orders/order-report.ts';
import { approveBodySchema } from '../../functions/workflow/approve/approve.ts';
import { listApprovalsQuerySchema } from '../../functions/workflow/list-approvals/routes.ts';
import { listAuditQuerySchema } from '../../functions/workflow/list-audit/routes.ts';
import { rejectBodySchema } from '../../functions/workflow/reject/reject.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = Record<string, Json>;

interface Operation {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly node: JsonObject;
}

const document = JSON.parse(
  readFileSync(new URL('../../docs/api/openapi.json', import.meta.url), 'utf8'),
) as JsonObject;

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const objectAt = (value: Json | undefined): JsonObject => (isObject(value) ? value : {});
const arrayAt = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);
const textAt = (value: Json | undefined): string => (typeof value === 'string' ? value : '');

/** The node a local `$ref` (`#/components/…`) points to, or undefined. */
function pointee(reference: string): Json | undefined {
  if (!reference.startsWith('#/')) return undefined;
  let node: Json | undefined = document;
  for (const raw of reference.slice(2).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = isObject(node) ? node[segment] : undefined;
  }
  return node;
}

/** A node with its `$ref` followed; siblings of the `$ref` (OpenAPI 3.1: description) win. */
function resolve(node: Json | undefined): JsonObject {
  const object = objectAt(node);
  const { $ref: reference, ...siblings } = object;
  if (typeof reference !== 'string') return object;
  return { ...resolve(pointee(reference)), ...siblings };
}

/** The node with every `$ref` inside it replaced by what it points to. */
function inline(node: Json): Json {
  if (Array.isArray(node)) return node.map(inline);
  if (!isObject(node)) return node;
  const resolved = resolve(node);
  return Object.fromEntries(Object.entries(resolved).map(([key, value]) => [key, inline(value)]));
}

const validatorOf = (jsonSchema: Json): z.ZodType =>
  z.fromJSONSchema(inline(jsonSchema) as Parameters<typeof z.fromJSONSchema>[0]);

const routeKey = (method: string, path: string): string =>
  `${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`;

const operations: Operation[] = Object.entries(objectAt(document['paths'])).flatMap(
  ([path, item]) =>
    Object.entries(objectAt(item))
      .filter(([method]) => ['get', 'put', 'post', 'patch', 'delete'].includes(method))
      .map(([method, node]) => ({
        key: routeKey(method, path),
        method: method.toUpperCase(),
        path,
        node: objectAt(node),
      })),
);
function operation(functionName: string): Operation {
  const found = operations.find((candidate) => candidate.node['x-atlas-function'] === functionName);
  if (!found) throw new Error(`openapi.json has no operation of ${functionName}`);
  return found;
}

const GATEWAY_OWN = ['GET /health', 'GET /ready', 'GET /metrics'];
const WITHOUT_TOKEN = new Set(['public', 'signature']);

/** The catalog's routes, as OpenAPI spells them, without the gateway's catch-all. */
const catalogRoutes = loadCatalog().flatMap((entry) =>
  entry.trigger.kind === 'http' && entry.service !== 'gateway'
    ? entry.trigger.routes.map((route) => ({
        key: routeKey(route.method, route.path),
        function: entry.qualifiedName,
        permission: route.permission,
        service: entry.service,
      }))
    : [],
);

const parametersOf = (candidate: Operation): JsonObject[] =>
  arrayAt(candidate.node['parameters']).map(resolve);
const responsesOf = (candidate: Operation): [string, JsonObject][] =>
  Object.entries(objectAt(candidate.node['responses'])).map(([status, node]) => [
    status,
    resolve(node),
  ]);
const bodySchemaOf = (candidate: Operation): Json | undefined =>
  objectAt(objectAt(resolve(candidate.node['requestBody'])['content'])['application/json'])[
    'schema'
  ];

/** Every example of a media type or parameter, with where it is. */
function examplesOf(node: JsonObject, where: string): { where: string; value: Json }[] {
  const named = Object.entries(objectAt(node['examples'])).map(([name, example]) => ({
    where: `${where} examples.${name}`,
    value: resolve(example)['value'] ?? null,
  }));
  return 'example' in node ? [{ where, value: node['example'] ?? null }, ...named] : named;
}

describe('docs/api/openapi.json', () => {
  it('describes exactly the routes of the catalog, and the gateway’s /health, /ready and /metrics', () => {
    const documented = operations.map((candidate) => candidate.key);
    const expected = [...catalogRoutes.map((route) => route.key), ...GATEWAY_OWN];
    expect({
      missing: expected.filter((key) => !documented.includes(key)),
      extra: documented.filter((key) => !expected.includes(key)),
    }).toEqual({ missing: [], extra: [] });
  });

  it('names each route’s function and permission as the catalog does, the function being the operationId', () => {
    const documented = catalogRoutes.map((route) => {
      const node = operations.find((candidate) => candidate.key === route.key)?.node ?? {};
      return {
        key: route.key,
        operationId: node['operationId'],
        function: node['x-atlas-function'],
        permission: node['x-atlas-permission'],
        tags: node['tags'],
      };
    });
    expect(documented).toEqual(
      catalogRoutes.map((route) => ({
        key: route.key,
        operationId: route.function,
        function: route.function,
        permission: route.permission,
        tags: [route.service],
      })),
    );
    const ids = operations.map((candidate) => candidate.node['operationId']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves /health, /ready and /metrics from the gateway without a token', () => {
    for (const key of GATEWAY_OWN) {
      const node = operations.find((candidate) => candidate.key === key)?.node ?? {};
      expect([key, node['x-atlas-function'], node['x-atlas-permission'], node['security']]).toEqual(
        [key, 'gateway-gateway', 'public', []],
      );
    }
  });

  it('declares each path parameter of a route, required, and no other', () => {
    for (const candidate of operations) {
      const inPath = [...candidate.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = parametersOf(candidate)
        .filter((parameter) => parameter['in'] === 'path')
        .map((parameter) => [parameter['name'], parameter['required']]);
      expect([candidate.key, declared]).toEqual([
        candidate.key,
        inPath.map((name) => [name, true]),
      ]);
    }
  });

  it('requires Idempotency-Key on every POST and PUT but the signed payment webhook, and nowhere else', () => {
    for (const candidate of operations) {
      const key = parametersOf(candidate).find(
        (parameter) => parameter['in'] === 'header' && parameter['name'] === 'Idempotency-Key',
      );
      const command =
        ['POST', 'PUT'].includes(candidate.method) &&
        candidate.node['x-atlas-permission'] !== 'signature';
      expect([candidate.key, key?.['required'] ?? 'absent']).toEqual([
        candidate.key,
        command ? true : 'absent',
      ]);
    }
  });

  it('secures each route as its permission says, with 401 and 403 wherever a token is needed', () => {
    for (const candidate of operations) {
      const permission = textAt(candidate.node['x-atlas-permission']);
      const statuses = responsesOf(candidate).map(([status]) => status);
      const schemes = arrayAt(candidate.node['security']).flatMap((one) =>
        Object.keys(objectAt(one)),
      );
      if (permission === 'public') expect([candidate.key, schemes]).toEqual([candidate.key, []]);
      else if (permission === 'signature')
        expect([candidate.key, schemes, statuses.includes('401')]).toEqual([
          candidate.key,
          ['atlasSignature'],
          true,
        ]);
      else
        expect([
          candidate.key,
          schemes,
          statuses.includes('401'),
          statuses.includes('403'),
        ]).toEqual([candidate.key, ['bearerAuth', 'keycloak'], true, true]);
    }
  });

  it('names in each description the roles that hold the route’s permission', () => {
    for (const candidate of operations) {
      const permission = textAt(candidate.node['x-atlas-permission']);
      if (WITHOUT_TOKEN.has(permission)) continue;
      const roles = (PERMISSIONS as Record<string, readonly string[] | undefined>)[permission];
      expect([candidate.key, roles]).toEqual([candidate.key, expect.any(Array)]);
      expect(textAt(candidate.node['description'])).toContain(
        `Permission \`${permission}\`: ${roles?.join(', ') ?? ''}.`,
      );
    }
  });

  it('answers X-Correlation-Id on every response, and every error as an RFC 7807 problem', () => {
    for (const candidate of operations) {
      for (const [status, response] of responsesOf(candidate)) {
        const where = `${candidate.key} ${status}`;
        expect([
          where,
          resolve(objectAt(response['headers'])['X-Correlation-Id'])['required'],
        ]).toEqual([where, true]);
        if (Number(status) < 400 || candidate.node['x-atlas-permission'] === 'public') continue;
        const problem = objectAt(objectAt(response['content'])['application/problem+json']);
        const schema = inline(problem['schema'] ?? null);
        const required = arrayAt(
          objectAt(schema)['required'] ??
            arrayAt(objectAt(schema)['allOf']).flatMap((part) =>
              arrayAt(objectAt(part)['required']),
            ),
        );
        expect([where, required]).toEqual([
          where,
          expect.arrayContaining([
            'type',
            'title',
            'status',
            'detail',
            'instance',
            'correlationId',
          ]),
        ]);
      }
    }
  });

  it('marks replays of commands with Idempotent-Replayed and the placed order with its Location', () => {
    for (const candidate of operations.filter((one) =>
      arrayAt(one.node['parameters']).some(
        (parameter) => objectAt(parameter)['$ref'] === '#/components/parameters/IdempotencyKey',
      ),
    )) {
      for (const [status, response] of responsesOf(candidate).filter(
        ([code]) => Number(code) < 300,
      ))
        expect([candidate.key, status, Object.keys(objectAt(response['headers']))]).toEqual([
          candidate.key,
          status,
          expect.arrayContaining(['Idempotent-Replayed']),
        ]);
    }
    const placed = responsesOf(operation('order-place-order')).find(([status]) => status === '202');
    expect(Object.keys(objectAt(placed?.[1]['headers']))).toContain('Location');
  });

  it('shows each problem example with the status, title and type its code has in @atlas/errors', () => {
    const exported: readonly unknown[] = Object.values(errors);
    const byCode = new Map(
      exported
        .filter(
          (value): value is new (message: string) => errors.AtlasError =>
            typeof value === 'function' && value.prototype instanceof errors.AtlasError,
        )
        .map((ErrorClass) => new ErrorClass('probe'))
        .map((error) => [
          error.code,
          {
            code: error.code,
            status: error.status,
            title: error.title,
            type: `${errors.PROBLEM_TYPE_BASE}${errors.problemSlug(error.code)}`,
          },
        ]),
    );
    const responses = [
      ...Object.values(objectAt(objectAt(document['components'])['responses'])),
      ...operations.flatMap((candidate) => responsesOf(candidate).map(([, response]) => response)),
    ];
    const problems = responses.flatMap((response) =>
      examplesOf(
        objectAt(objectAt(objectAt(response)['content'])['application/problem+json']),
        'problem',
      ).map(({ value }) => objectAt(value)),
    );
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      const { code, status, title, type } = problem;
      expect({ code, status, title, type }).toEqual(byCode.get(textAt(code)));
    }
  });

  it('resolves every $ref', () => {
    const dangling: string[] = [];
    const visit = (node: Json): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (isObject(node)) {
        const reference = node['$ref'];
        if (typeof reference === 'string' && pointee(reference) === undefined)
          dangling.push(reference);
        Object.values(node).forEach(visit);
      }
    };
    visit(document);
    expect(dangling).toEqual([]);
  });

  it('has examples that fit their own schemas', () => {
    const misfits: string[] = [];
    const check = (node: JsonObject, where: string): void => {
      if (!('schema' in node)) return;
      const validator = validatorOf(node['schema'] ?? null);
      for (const { where: at, value } of examplesOf(node, where)) {
        const result = validator.safeParse(value);
        if (!result.success) misfits.push(`${at}: ${result.error.message}`);
      }
    };
    for (const candidate of operations) {
      for (const parameter of parametersOf(candidate))
        check(parameter, `${candidate.key} parameter ${textAt(parameter['name'])}`);
      for (const [type, media] of Object.entries(
        objectAt(resolve(candidate.node['requestBody'])['content']),
      ))
        check(objectAt(media), `${candidate.key} request ${type}`);
      for (const [status, response] of responsesOf(candidate))
        for (const [type, media] of Object.entries(objectAt(response['content'])))
          check(objectAt(media), `${candidate.key} ${status} ${type}`);
    }
    expect(misfits).toEqual([]);
  });
});

/** The functions' own request schemas, by the function that validates with them. */
const BODY_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'order-place-order': placeOrderBodySchema,
  'inventory-set-stock': setStockBodySchema,
  'inventory-receive-stock': receiptBodySchema,
  'billing-payment-webhook': paymentCallbackSchema,
  'workflow-approve': approveBodySchema,
  'workflow-reject': rejectBodySchema,
  'ops-redrive-dead-letters': redriveSelectorSchema,
  // Checked in the handler rather than by a body schema: no fields, no body or `{}`.
  'order-cancel-order': z.unknown().refine((body) => {
    try {
      assertNoCancelFields(body);
      return true;
    } catch {
      return false;
    }
  }),
};
const QUERY_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'order-list-orders': listOrdersQuerySchema,
  'billing-list-ledger': ledgerQuerySchema,
  'workflow-list-approvals': listApprovalsQuerySchema,
  'workflow-list-audit': listAuditQuerySchema,
  'reporting-list-orders': orderReportQuerySchema,
  'reporting-daily-sales': dailySalesQuerySchema(),
  'ops-list-dead-letters': listDeadLettersQuerySchema,
  'order-list-stuck-orders': stuckOrdersQuerySchema,
};

const RULES = ['type', 'const', 'enum', 'minLength', 'maxLength', 'minimum', 'maximum'];
const COLLECTION_RULES = ['minItems', 'maxItems', 'additionalProperties'];

/** The rules of a JSON schema both sides can state; patterns and formats are judged by samples. */
function rulesOf(node: Json): Json {
  if (Array.isArray(node)) return node.map(rulesOf);
  if (!isObject(node)) return node;
  const rules: JsonObject = {};
  for (const keyword of [...RULES, ...COLLECTION_RULES])
    if (keyword in node) rules[keyword] = node[keyword] ?? null;
  if ('required' in node) rules['required'] = arrayAt(node['required']).map(String).sort();
  if ('properties' in node)
    rules['properties'] = Object.fromEntries(
      Object.entries(objectAt(node['properties'])).map(([name, value]) => [name, rulesOf(value)]),
    );
  if ('items' in node) rules['items'] = rulesOf(node['items'] ?? null);
  for (const keyword of ['oneOf', 'anyOf'])
    if (keyword in node) rules[keyword] = arrayAt(node[keyword]).map(rulesOf);
  return rules;
}
const zodRules = (schema: z.ZodType): Json =>
  rulesOf(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json);

/** `node` with the value at `path` replaced; `undefined` removes the key. */
function changed(node: Json, path: readonly string[], value: Json | undefined): Json | undefined {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  if (Array.isArray(node))
    return node.map((item, index) =>
      String(index) === key ? (changed(item, rest, value) ?? null) : item,
    );
  const object = objectAt(node);
  const others = Object.fromEntries(Object.entries(object).filter(([name]) => name !== key));
  const next = changed(object[key] ?? null, rest, value);
  return next === undefined ? others : { ...others, [key]: next };
}

/** Bodies each function refuses, as changes to its first documented example. */
const REFUSED: Readonly<Record<string, readonly [string, Json | undefined][]>> = {
  'order-place-order': [
    ['lines.0.unitPrice', '19.9'],
    ['lines.0.unitPrice', '10000000000.00'],
    ['lines.0.unitPrice', '019.99'],
    ['lines.0.quantity', 0],
    ['lines.0.quantity', 1.5],
    ['lines.0.sku', 'SKU 1'],
    ['lines', []],
    ['currency', 'eur'],
    ['customerId', '   '],
    ['customerId', undefined],
    ['paymentMethod.type', 'cash'],
    ['paymentMethod.token', ''],
    ['coupon', 'FREE'],
  ],
  'inventory-set-stock': [
    ['onHand', -1],
    ['onHand', 2_147_483_648],
    ['onHand', '12'],
    ['name', ''],
    ['reserved', 0],
  ],
  'inventory-receive-stock': [
    ['quantity', 0],
    ['quantity', 2.5],
    ['quantity', undefined],
    ['sku', 'SKU-KETTLE'],
  ],
  'billing-payment-webhook': [
    ['type', 'refunded'],
    ['invoiceId', 'inv-1'],
    ['amount', '43.9'],
    ['currency', 'Euro'],
    ['callbackId', 'cb 1'],
    ['reason', 'declined'],
    ['orderId', ''],
  ],
  'workflow-approve': [
    ['comment', 'x'.repeat(2001)],
    ['comment', 5],
    ['approvedBy', 'me'],
  ],
  'workflow-reject': [
    ['reason', '   '],
    ['reason', undefined],
    ['reason', 'x'.repeat(2001)],
    ['comment', 'also'],
  ],
  'order-cancel-order': [['reason', 'changed my mind']],
};

describe('the request rules of docs/api/openapi.json', () => {
  it('document a body exactly for the functions that take one', () => {
    const withBody = operations
      .filter((candidate) => candidate.node['requestBody'] !== undefined)
      .map((candidate) => textAt(candidate.node['x-atlas-function']));
    expect(withBody.sort()).toEqual(Object.keys(BODY_SCHEMAS).sort());
  });

  it.each(Object.keys(BODY_SCHEMAS).filter((name) => name !== 'order-cancel-order'))(
    'state the fields, bounds and strictness of %s’s body schema, and whether a body is required',
    (name) => {
      const candidate = operation(name);
      const schema = BODY_SCHEMAS[name] ?? z.never();
      expect(rulesOf(inline(bodySchemaOf(candidate) ?? null))).toEqual(zodRules(schema));
      expect(resolve(candidate.node['requestBody'])['required']).toBe(
        !schema.safeParse(undefined).success,
      );
    },
  );

  it.each(Object.keys(REFUSED))('accept and refuse the same bodies as %s', (name) => {
    const candidate = operation(name);
    const media = objectAt(
      objectAt(resolve(candidate.node['requestBody'])['content'])['application/json'],
    );
    const documented = validatorOf(media['schema'] ?? null);
    const own = BODY_SCHEMAS[name] ?? z.never();
    const examples = examplesOf(media, name).map(({ value }) => value);
    expect(examples.length).toBeGreaterThan(0);
    const base = examples[0] ?? null;
    const verdicts = [
      ...examples.map((body) => ({ body, expected: true })),
      ...(REFUSED[name] ?? []).map(([path, value]) => ({
        body: changed(base, path.split('.'), value) ?? null,
        expected: false,
      })),
    ].map(({ body, expected }) => ({
      body,
      function: own.safeParse(body).success,
      openapi: documented.safeParse(body).success,
      expected,
    }));
    expect(verdicts).toEqual(
      verdicts.map((verdict) => ({
        ...verdict,
        function: verdict.expected,
        openapi: verdict.expected,
      })),
    );
  });

  it('document the query parameters of each function that reads a query, with their allowed values', () => {
    const withQuery = operations
      .filter((candidate) =>
        parametersOf(candidate).some((parameter) => parameter['in'] === 'query'),
      )
      .map((candidate) => textAt(candidate.node['x-atlas-function']));
    expect(withQuery.sort()).toEqual(Object.keys(QUERY_SCHEMAS).sort());
    for (const [name, schema] of Object.entries(QUERY_SCHEMAS)) {
      const documented = Object.fromEntries(
        parametersOf(operation(name))
          .filter((parameter) => parameter['in'] === 'query')
          .map((parameter) => [
            textAt(parameter['name']),
            objectAt(inline(parameter['schema'] ?? null))['enum'] ?? null,
          ]),
      );
      const properties = objectAt(
        objectAt(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json)[
          'properties'
        ],
      );
      const own = Object.fromEntries(
        Object.entries(properties).map(([parameter, rule]) => [
          parameter,
          objectAt(rule)['enum'] ?? null,
        ]),
      );
      expect([name, documented]).toEqual([name, own]);
    }
  });

  it('page every list with the shared page and pageSize parameters', () => {
    const pageRefs = ['#/components/parameters/Page', '#/components/parameters/PageSize'];
    for (const candidate of operations) {
      const success = responsesOf(candidate).find(([status]) => status === '200')?.[1];
      const schema = objectAt(
        objectAt(objectAt(success?.['content'])['application/json'])['schema'],
      );
      const paged = arrayAt(resolve(schema)['allOf']).some(
        (part) => objectAt(part)['$ref'] === '#/components/schemas/Page',
      );
      const refs = arrayAt(candidate.node['parameters']).map((one) => objectAt(one)['$ref']);
      expect([candidate.key, pageRefs.every((ref) => refs.includes(ref))]).toEqual([
        candidate.key,
        paged,
      ]);
    }
  });
});
