import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { EVENTS_DOC, renderConsumersTable } from './event-consumers-doc.ts';

// Prettier aligns the table's columns; compare cell contents, not padding.
const normalise = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s|-]+\|$/.test(line))
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim())
        .join('|'),
    );

describe('the consumers table of docs/events/README.md', () => {
  it('names exactly the functions whose KafkaSource delivers each event', () => {
    const page = readFileSync(EVENTS_DOC, 'utf8');
    const section = page.slice(
      page.indexOf('<!-- consumers:begin'),
      page.indexOf('<!-- consumers:end -->'),
    );
    expect(normalise(section)).toEqual(normalise(renderConsumersTable()));
  });
});
