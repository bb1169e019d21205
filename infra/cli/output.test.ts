import { describe, expect, it } from '@jest/globals';
import {
  colourWanted,
  formatDuration,
  formatProblem,
  Progress,
  renderFields,
  renderTable,
  style,
  visibleWidth,
} from './output.ts';

describe('renderTable', () => {
  it('aligns columns two spaces apart, right-aligns where asked, no trailing spaces', () => {
    const text = renderTable(
      ['ID', { header: 'LAG', align: 'right' }, 'NOTE'],
      [
        ['a', 1, 'short'],
        ['longer-id', 12345, ''],
        ['b', null, undefined],
      ],
    );
    expect(text.split('\n')).toEqual([
      'ID           LAG  NOTE',
      'a              1  short',
      'longer-id  12345  -',
      'b              -  -',
    ]);
  });

  it('measures coloured cells by what shows', () => {
    const { red } = style(true);
    const text = renderTable(['A', 'B'], [[red('xx'), 'y']]);
    expect(text.split('\n')[1]).toBe(`${red('xx')}  y`);
    expect(visibleWidth(red('xx'))).toBe(2);
  });

  it('renders key/value fields aligned, leaving out undefined ones', () => {
    expect(
      renderFields([
        ['order', 'o-1'],
        ['invoice', undefined],
        ['status', null],
      ]),
    ).toBe('order   o-1\nstatus  -');
  });
});

describe('colour', () => {
  it('only on a terminal without NO_COLOR or --no-color', () => {
    expect(colourWanted(true, {})).toBe(true);
    expect(colourWanted(false, {})).toBe(false);
    expect(colourWanted(undefined, {})).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(true, { NO_COLOR: '' })).toBe(true);
    expect(colourWanted(true, {}, true)).toBe(false);
  });

  it('plain style adds nothing', () => {
    expect(style(false).red('x')).toBe('x');
    expect(style(true).red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});

describe('formatProblem', () => {
  it('prints an RFC 7807 body as title: detail, then each validation error', () => {
    expect(
      formatProblem(400, {
        title: 'Request validation failed',
        detail: '1 field(s) of the request are invalid.',
        errors: [{ path: 'query.olderThanSeconds', message: 'at least 1' }],
      }),
    ).toBe(
      'Request validation failed: 1 field(s) of the request are invalid.\n  query.olderThanSeconds: at least 1',
    );
    expect(formatProblem(404, { title: 'Resource not found' })).toBe('Resource not found');
  });

  it('prints any other body with its status', () => {
    expect(formatProblem(502, undefined, 'Bad Gateway')).toBe('HTTP 502: Bad Gateway');
    expect(formatProblem(500, undefined, '')).toBe('HTTP 500');
  });
});

describe('formatDuration', () => {
  it.each([
    [4.4, '4 s'],
    [65, '1 min 05 s'],
    [7_800, '2 h 10 min'],
    [273_600, '3 d 4 h'],
  ])('%d s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('Progress', () => {
  function sink(isTTY: boolean): { isTTY: boolean; text: string; write(chunk: string): boolean } {
    return {
      isTTY,
      text: '',
      write(chunk: string) {
        this.text += chunk;
        return true;
      },
    };
  }

  it('writes nothing when stderr is not a terminal', () => {
    const stream = sink(false);
    const progress = new Progress(stream);
    progress.update('working');
    progress.stop();
    expect(stream.text).toBe('');
  });

  it('redraws one line on a terminal and clears it at the end', () => {
    const stream = sink(true);
    const progress = new Progress(stream);
    progress.update('working');
    progress.stop();
    expect(stream.text).toContain('working');
    expect(stream.text.endsWith('\r\u001b[2K')).toBe(true);
  });
});
