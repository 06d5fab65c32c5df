// The CLI and the Node server read files with Node's own UTF-8 check and decoding; the browser server decodes
// with TextDecoder. Both must give the same text, or skip the same files with the same message.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeSourceBytes } from '../../server/src/lsp/web-protocol.js';
import { readSourceFile } from '../../server/src/node/files.js';

const SAMPLES: Record<string, number[]> = {
  ascii: [...Buffer.from('cache.get("k")\n')],
  'byte-order mark': [0xef, 0xbb, 0xbf, ...Buffer.from('x = 1\n')],
  'two byte-order marks': [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x78],
  'multibyte and astral': [...Buffer.from('s = "é €🎉"\n')],
  'overlong slash': [0x78, 0xc0, 0xaf],
  'encoded surrogate': [0x78, 0xed, 0xa0, 0x80],
  'truncated at the end': [0x78, 0xe2, 0x82],
  'lone continuation byte': [0x80, 0x78],
  'code point past U+10FFFF': [0xf4, 0x90, 0x80, 0x80],
  'UTF-16 with a mark': [0xff, 0xfe, 0x78, 0x00],
  'a NUL byte': [0x78, 0x00, 0x79],
  // Node's one-call decoding replaces bad bytes with U+FFFD and keeps NULs: these are valid UTF-8 all the same.
  'a replacement character written in the file': [...Buffer.from('s = "\uFFFD"\n')],
  'a NUL past the first 8192 bytes, 5000 characters in': [...Buffer.from('é'.repeat(5000)), 0x00, 0x78],
  'a NUL past the first 8192 bytes': [...Buffer.from('x'.repeat(9000)), 0x00],
  // Node reads most files in one read into a shared 256 KiB buffer; longer ones are measured and read whole.
  'one byte short of a full read': [...Buffer.from('a'.repeat(256 * 1024 - 1))],
  'exactly one full read': [...Buffer.from('b'.repeat(256 * 1024))],
  'a character across the end of the first read': [...Buffer.from(`${'c'.repeat(256 * 1024 - 1)}é tail\n`)],
  'bad bytes past the first read': [...Buffer.from('d'.repeat(300 * 1024)), 0xc0, 0xaf],
  // Read after the long ones: nothing of theirs is left in what it returns.
  'short after long': [...Buffer.from('z = 1\n')],
  empty: [],
};

test('Node reads each file as the browser decodes it: the same text, or the same reason to skip it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cache-coach-decoding-'));
  try {
    for (const [name, bytes] of Object.entries(SAMPLES)) {
      const path = join(dir, `${name.replace(/\W+/g, '_')}.py`);
      writeFileSync(path, Uint8Array.from(bytes));
      assert.deepEqual(readSourceFile(path, 1024 * 1024), decodeSourceBytes(Uint8Array.from(bytes), 1024 * 1024), name);
    }
    assert.deepEqual(readSourceFile(join(dir, 'byte_order_mark.py'), 1024), { text: 'x = 1\n' });
    assert.deepEqual(readSourceFile(join(dir, 'encoded_surrogate.py'), 1024), { skipped: 'skipped: not valid UTF-8' });
    assert.deepEqual(readSourceFile(join(dir, 'a_replacement_character_written_in_the_file.py'), 1024), { text: 's = "\uFFFD"\n' });
    assert.deepEqual(readSourceFile(join(dir, 'a_NUL_past_the_first_8192_bytes_5000_characters_in.py'), 1024 * 1024), { text: `${'é'.repeat(5000)}\0x` });
    assert.deepEqual(readSourceFile(join(dir, 'a_character_across_the_end_of_the_first_read.py'), 1024 * 1024), { text: `${'c'.repeat(256 * 1024 - 1)}é tail\n` });
    assert.deepEqual(readSourceFile(join(dir, 'short_after_long.py'), 1024), { text: 'z = 1\n' });
    assert.deepEqual(readSourceFile(join(dir, 'empty.py'), 1024), { text: '' });
    // The size limit holds on both sides of a full read.
    assert.match((readSourceFile(join(dir, 'one_byte_short_of_a_full_read.py'), 1024) as { skipped: string }).skipped, /over the 1 KB limit/);
    assert.match((readSourceFile(join(dir, 'bad_bytes_past_the_first_read.py'), 1024) as { skipped: string }).skipped, /over the 1 KB limit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
