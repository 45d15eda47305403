/**
 * A spreadsheet runs a cell that begins with one of these as a formula (or, for tab and carriage
 * return, strips the character and then does): OWASP's list for CSV injection.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell as RFC 4180 quotes it, made inert for spreadsheets: a value that could start a
 * formula gets a leading `'`, which spreadsheets show as text. Every cell is quoted, so a separator,
 * quote or line break inside a value can never shift the columns after it.
 */
export function csvCell(value: string): string {
  const inert = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${inert.replace(/"/g, '""')}"`;
}

/** One CSV record with its line ending; every CSV the project writes goes through here. */
export const csvLine = (cells: readonly string[]): string => `${cells.map(csvCell).join(',')}\n`;
