import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCatalog, type CatalogEntry } from '@atlas/catalog';

export const FUNCTIONS_DOC = fileURLToPath(new URL('../../docs/functions.md', import.meta.url));

const cell = (text: string): string => text.replaceAll('|', '\\|');

function triggerOf(entry: CatalogEntry): { what: string; access: string } {
  const { trigger } = entry;
  if (trigger.kind === 'http') {
    return {
      what: trigger.routes.map((route) => `\`${route.method} ${route.path}\``).join('<br>'),
      access: [...new Set(trigger.routes.map((route) => `\`${route.permission}\``))].join(', '),
    };
  }
  if (trigger.kind === 'kafka') {
    return {
      what: `${trigger.topics.map((topic) => `\`${topic}\``).join(', ')}: ${trigger.eventTypes.join(', ')}`,
      access: 'KafkaSource',
    };
  }
  return { what: 'always running', access: '—' };
}

/** `docs/functions.md` as the catalog says it must read. */
export function renderFunctionsDoc(catalog: readonly CatalogEntry[] = loadCatalog()): string {
  const rows = catalog.map((entry) => {
    const { what, access } = triggerOf(entry);
    const folder = `functions/${entry.service}/${entry.name}`;
    return `| [${entry.qualifiedName}](../${folder}) | ${entry.trigger.kind} | ${cell(what)} | ${access} | ${entry.port} | ${cell(entry.description)} |`;
  });
  return [
    '# Functions',
    '',
    'Every function of Atlas ERP, generated from the catalog (`functions/*/*/function.json`) by',
    '`npm run docs:generate`; a test fails while this page and the catalog disagree. Each function',
    'is its own process locally (`npm start`, on the port below) and its own image and Knative',
    'Service in the cluster (`k8s/generated/`, ADR-0028). HTTP functions are reached through the',
    'gateway on 8080; Kafka-triggered ones receive their topics as CloudEvents from a KafkaSource.',
    '',
    '| function | trigger | route or topics: event types | permission | local port | does |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const expected = renderFunctionsDoc();
  writeFileSync(FUNCTIONS_DOC, expected);
  console.log('wrote docs/functions.md');
}
