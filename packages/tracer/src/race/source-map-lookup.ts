/**
 * Just enough of source maps to map a generated position back: decode the
 * VLQ `mappings` once, then find the segment at or before a column. Used by
 * the Vite host, whose input is already generated (TypeScript stripped).
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Map([...BASE64].map((c, i) => [c, i]));

/** One segment: generated column, then source index, original line, original column (all 0-based). */
type Segment = [number, number, number, number];

export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let source = 0;
  let line = 0;
  let column = 0;
  for (const lineText of mappings.split(';')) {
    const segments: Segment[] = [];
    let generated = 0;
    for (const segText of lineText.split(',')) {
      if (segText === '') continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segText) {
        const digit = VALUE.get(ch);
        if (digit === undefined) throw new Error(`asyncsan: bad source map character ${ch}`);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      generated += fields[0] ?? 0;
      if (fields.length < 4) continue;
      source += fields[1]!;
      line += fields[2]!;
      column += fields[3]!;
      segments.push([generated, source, line, column]);
    }
    lines.push(segments);
  }
  return lines;
}

export interface RawSourceMap {
  mappings: string;
}

/** A lookup from (1-based line, 0-based column) in the generated code to the original. */
export function originalPositionLookup(map: RawSourceMap): (line: number, column: number) => { line: number; column: number } | undefined {
  const lines = decodeMappings(map.mappings);
  return (line, column) => {
    const segments = lines[line - 1];
    if (!segments || segments.length === 0) return undefined;
    let best: Segment | undefined;
    for (const seg of segments) {
      if (seg[0] <= column) best = seg;
      else break;
    }
    if (!best) return { line: segments[0]![2] + 1, column: segments[0]![3] };
    // Inside a segment the text is copied: the offset into it carries over.
    return { line: best[2] + 1, column: best[3] + (column - best[0]) };
  };
}
