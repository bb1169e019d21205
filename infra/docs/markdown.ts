/**
 * A Markdown page with table padding removed, so a generated page compares equal to itself after
 * Prettier aligned its columns.
 */
export function withoutTablePadding(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line.startsWith('|')
        ? line
            .split('|')
            .map((cell) => cell.trim())
            .join('|')
        : line,
    );
}
