import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { EVENTS_DOC, renderConsumersTable } from './event-consumers-doc.ts';
import { withoutTablePadding } from './markdown.ts';

describe('the consumers table of docs/events/README.md', () => {
  it('names exactly the functions whose KafkaSource delivers each event', () => {
    const page = readFileSync(EVENTS_DOC, 'utf8');
    const end = '<!-- consumers:end -->';
    const section = page.slice(
      page.indexOf('<!-- consumers:begin'),
      page.indexOf(end) + end.length,
    );
    expect(withoutTablePadding(section)).toEqual(withoutTablePadding(renderConsumersTable()));
  });
});
