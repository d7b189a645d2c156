import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv';

describe('csv', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
  });
  it('defuses spreadsheet formulas but keeps negative numbers', () => {
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField('-1.25')).toBe('-1.25');
    expect(csvField('-x')).toBe("'-x");
  });
  it('writes a header and rows with CRLF', () => {
    expect(toCsv(['school', 'n'], [['A', '12'], ['B', '*']])).toBe('school,n\r\nA,12\r\nB,*\r\n');
  });
});
