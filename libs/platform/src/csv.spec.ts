import { csvCell, csvLine } from './csv';

/** RFC 4180 cells of one line, as a spreadsheet splits them (quoted cells may hold anything). */
function cellsOf(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted && char === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (char === '"') quoted = !quoted;
    else if (!quoted && char === ',') {
      cells.push(cell);
      cell = '';
    } else if (quoted || char !== '\n') cell += char;
  }
  return [...cells, cell];
}

describe('CSV cells', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', '"\'=HYPERLINK(""http://evil.example"",""x"")"'],
    ["+1+cmd|' /C calc'!A0", "\"'+1+cmd|' /C calc'!A0\""],
    ['-2+3', '"\'-2+3"'],
    ['@SUM(A1:A2)', '"\'@SUM(A1:A2)"'],
    ['\t=1', '"\'\t=1"'],
    ['\r=1', '"\'\r=1"'],
  ])('makes %j inert with a leading quote', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    ['pc-101', '"pc-101"'],
    ['', '""'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ["'already text", '"\'already text"'],
    ['a=b', '"a=b"'],
  ])('quotes %j and leaves it as written', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('keeps every value in its own column whatever it holds', () => {
    const values = ['1', 'a,"b",c', '=1+2', 'x\ny', '', '-', ',=cmd'];
    const line = csvLine(values);
    expect(line.endsWith('\n')).toBe(true);
    expect(cellsOf(line.slice(0, -1))).toEqual(values.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
  });
});
