import type { CatalogEntry } from '@atlas/catalog';
import { functionUrlVariable } from '@atlas/catalog';
import type { ClusterSettings } from './manifests.ts';
import { configData, imageOf } from './manifests.ts';
import type { YamlMap } from './yaml.ts';

/** Where OpenFaaS runs functions; each gets a Service of its name there, on 8080. */
export const OPENFAAS_FUNCTION_NAMESPACE = 'openfaas-fn';

/** Functions that must always run: the relays (they drain the outboxes) and the gateway. */
const alwaysOn = (entry: CatalogEntry): boolean =>
  entry.trigger.kind === 'worker' || entry.service === 'gateway';

/**
 * The same functions as an OpenFaaS `stack.yaml` (docs/openfaas.md): each image as it is — it
 * serves HTTP on 8080 with its own health and readiness endpoints, which is all OpenFaaS needs of
 * a workload, so no watchdog is added; Kafka-triggered functions subscribe through the Kafka
 * connector's `topic` annotation (a comma-separated list). Secrets are `${…}` references faas-cli
 * substitutes from the deployer's environment.
 */
export function renderOpenFaasStack(
  catalog: readonly CatalogEntry[],
  settings: ClusterSettings,
): YamlMap {
  const shared = {
    ...configData(catalog, settings),
    ...Object.fromEntries(
      catalog
        .filter((entry) => entry.trigger.kind !== 'worker' && entry.service !== 'gateway')
        .map((entry) => [
          functionUrlVariable(entry.qualifiedName),
          `http://${entry.qualifiedName}.${OPENFAAS_FUNCTION_NAMESPACE}.svc.cluster.local:8080`,
        ]),
    ),
  };
  const functions = Object.fromEntries(
    catalog.map((entry) => {
      const environment: Record<string, string> = { ...shared };
      if (entry.service !== 'gateway' && entry.service !== 'ops')
        environment['ATLAS_POSTGRES_URL'] = '${ATLAS_POSTGRES_URL}';
      if (['billing-card-provider', 'billing-payment-webhook'].includes(entry.qualifiedName))
        environment['ATLAS_PAYMENT_WEBHOOK_SECRET'] = '${ATLAS_PAYMENT_WEBHOOK_SECRET}';
      const annotations: Record<string, string> = {
        'com.openfaas.health.http.path': '/health',
        'com.openfaas.ready.http.path': '/ready',
      };
      if (entry.trigger.kind === 'kafka') annotations['topic'] = entry.trigger.topics.join(',');
      return [
        entry.qualifiedName,
        {
          image: imageOf(entry, settings),
          environment,
          annotations,
          ...(alwaysOn(entry)
            ? { labels: { 'com.openfaas.scale.min': '2', 'com.openfaas.scale.zero': 'false' } }
            : {}),
          readonly_root_filesystem: true,
        },
      ];
    }),
  );
  return {
    version: '1.0',
    provider: { name: 'openfaas', gateway: '${OPENFAAS_URL:-http://127.0.0.1:31112}' },
    functions,
  };
}
