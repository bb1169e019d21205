/** What the manifests are made of: JSON-like values, emitted as block YAML. */
export type YamlValue = string | number | boolean | null | readonly YamlValue[] | YamlMap;
export interface YamlMap {
  readonly [key: string]: YamlValue;
}

// Quote every string that YAML could read as something else (numbers, booleans, nulls, dates,
// flow syntax); JSON string syntax is valid YAML, so JSON.stringify does the escaping.
const PLAIN = /^[A-Za-z_/][\w./:@-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
}

function isScalar(value: YamlValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

function lines(value: YamlValue, indent: string): string[] {
  if (isScalar(value)) return [`${indent}${scalar(value)}`];
  if (Array.isArray(value)) {
    const list = value as readonly YamlValue[];
    if (list.length === 0) return [`${indent}[]`];
    return list.flatMap((item) => {
      if (isScalar(item)) return [`${indent}- ${scalar(item)}`];
      const [first = '', ...rest] = lines(item, `${indent}  `);
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest];
    });
  }
  const entries = Object.entries(value as YamlMap);
  if (entries.length === 0) return [`${indent}{}`];
  return entries.flatMap(([key, item]) => {
    if (isScalar(item)) return [`${indent}${scalar(key)}: ${scalar(item)}`];
    if (Array.isArray(item) && item.length === 0) return [`${indent}${scalar(key)}: []`];
    if (!Array.isArray(item) && Object.keys(item).length === 0)
      return [`${indent}${scalar(key)}: {}`];
    return [`${indent}${scalar(key)}:`, ...lines(item, `${indent}  `)];
  });
}

/** Documents as one multi-document YAML stream. */
export function toYaml(documents: readonly YamlValue[]): string {
  return `${documents.map((document) => lines(document, '').join('\n')).join('\n---\n')}\n`;
}
