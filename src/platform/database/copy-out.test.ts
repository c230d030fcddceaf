import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { Client } from 'pg';
import { CopyTextDecoder, copyRowsOut, inlineParameters } from './copy-out';

/** A sink that keeps what reaches it. */
function collectingSink() {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** COPY's text format of one value, as PostgreSQL writes it (the decoder's inverse). */
const copyEscaped = (value: string) =>
  value.replace(/[\\\n\r\t\b\f\v]/g, (character) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' })[character]!);

/** Any text PostgreSQL's `text` holds (every code point but NUL), often made of the characters that quoting and COPY treat specially. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map((value) => value.replace(/\0/g, '')),
  fc.string({ unit: fc.constantFrom("'", '\\', '"', '$', '1', 'E', 'x', '\n', '\t', '\r', '\b', 'é', '😀'), maxLength: 20 }),
);

describe('COPY-OUT: rows streamed with COPY come out as PostgreSQL holds them', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
  });
  afterAll(() => client.end());

  it('COPY-OUT-01 any text values come out exactly, a line each, whatever their backslashes, quotes, dollars and control characters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(anyText, fc.constantFrom('\\', '\\\\N', "'); drop table x; --", '$1', '\\x41', 'E\'\\\'')), { maxLength: 12 }), async (values) => {
        const { sink, text } = collectingSink();
        const items = values.map((_, index) => `$${index + 1}::text`).join(', ');
        const count = await copyRowsOut(client, `select value from unnest(array[${items}]::text[]) with ordinality as listed(value, position) order by position`, values, sink);
        expect(count).toBe(values.length);
        expect(text()).toBe(values.map((value) => `${value}\n`).join(''));
      }),
      { numRuns: 60 },
    );
  });

  it('COPY-OUT-02 an inlined parameter means what the bound one does, for every kind of value and either standard_conforming_strings', async () => {
    const anyValue = fc.oneof(anyText, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }), fc.array(anyText, { maxLength: 4 }));
    await fc.assert(
      fc.asyncProperty(anyValue, fc.boolean(), async (value, isStandardConforming) => {
        await client.query(`set standard_conforming_strings = ${isStandardConforming ? 'on' : 'off'}`);
        const bound = await client.query('select ($1)::text as value', [value]);
        const inlined = await client.query(`select (${inlineParameters('$1', [value])})::text as value`);
        expect(inlined.rows[0].value).toBe(bound.rows[0].value);
      }),
      { numRuns: 200 },
    );
    await client.query('reset standard_conforming_strings');
  });

  it('COPY-OUT-03 placeholders are replaced once each: a value that looks like a placeholder stays a value', () => {
    expect(inlineParameters('select $1, $2, $10', ['$2', "it's", 1, 2, 3, 4, 5, 6, 7, 8])).toBe("select '$2', 'it''s', '8'");
    expect(() => inlineParameters('select $2', ['only one'])).toThrow('no parameter for $2');
  });

  it('COPY-OUT-04 the decoder gives the same text wherever the stream splits, a backslash sequence included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyText, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), async (values, cuts) => {
        const encoded = Buffer.from(values.map((value) => `${copyEscaped(value)}\n`).join(''), 'utf8');
        const positions = [...new Set(cuts.map((cut) => (encoded.length === 0 ? 0 : cut % encoded.length)))].sort((a, b) => a - b);
        const chunks = [...positions, encoded.length].map((end, index, ends) => encoded.subarray(index === 0 ? 0 : ends[index - 1], end));
        const { sink, text } = collectingSink();
        await pipeline(Readable.from(chunks), new CopyTextDecoder(), sink);
        expect(text()).toBe(values.map((value) => `${value}\n`).join(''));
      }),
      { numRuns: 300 },
    );
  });
});
