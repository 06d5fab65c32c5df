/**
 * A mend to web-tree-sitter's JS glue, applied to its source text when it is bundled (esbuild.config.mjs).
 *
 * Every node the glue hands out, and every question asked of one, goes through a transfer buffer in wasm memory:
 * `C.setValue(address, value, "i32")` and `C.getValue(address, "i32")`, emscripten's generic accessors, which
 * test the type string (`endsWith("*")`, then a switch) on each call. Reading a module's facts makes several such
 * calls per node, tens of thousands per scan; they were a sixth of the time the facts took. The mend writes each
 * call as what the "i32" case does: a little-endian 32-bit access at the address rounded down to 4, through the
 * module's current DataView (`HEAP_DATA_VIEW`, replaced whenever the memory grows). Every other call is unchanged.
 *
 * The parser asks for the text in chunks, and the glue copies up to 5,119 UTF-16 units into wasm memory for each
 * ask with emscripten's stringToUTF16: a DataView call per character. An editor's incremental reparse asks dozens
 * of times, and the copies were a sixth of it. On a little-endian host (where that call stores what a Uint16Array
 * does) the mend copies with Node's Buffer.write (native), or in a browser through the module's current
 * Uint16Array view; the count and the terminating zero are stringToUTF16's.
 *
 * A node object keeps its address in wasm memory as an index property, `node[0]`: every node then gets an elements
 * store of its own, and making one took five times as long as with a named property (a scan makes tens of
 * thousands). The mend names it `_handle`, in the Node class and in marshalNode, the one place that reads it.
 */

const SET_I32 = /C\.setValue\(([^,()]+), ([^,()]+), "i32"\)/g;
const GET_I32 = /C\.getValue\(([^,()]+), "i32"\)/g;
const PARSE_INPUT_COPY = 'stringToUTF16(string, inputBufferAddress, INPUT_BUFFER_SIZE);';
const FAST_PARSE_INPUT_COPY = `if (new Uint8Array(Uint16Array.of(1).buffer)[0] === 1) {
            const count = Math.min(string.length, (INPUT_BUFFER_SIZE >> 1) - 1);
            const base = inputBufferAddress >> 1;
            if (typeof Buffer === 'function') Buffer.from(HEAPU16.buffer, inputBufferAddress, count * 2).write(string, 0, count * 2, 'utf16le');
            else for (let unit = 0; unit < count; unit++) HEAPU16[base + unit] = string.charCodeAt(unit);
            HEAPU16[base + count] = 0;
          } else {
            stringToUTF16(string, inputBufferAddress, INPUT_BUFFER_SIZE);
          }`;

/** Node's handle: its field, its constructor's store, and marshalNode's read, each once in the glue. */
const NODE_CLASS = 'var Node = class {';
const NODE_HANDLE_FIELD = '[0] = 0;';
const NODE_HANDLE_STORE = 'this[0] = other;';
const NODE_HANDLE_READ = 'C.setValue(address, node[0], "i32");';

/** `source` with Node's handle named; undefined when the glue does not hold each piece once where expected. */
function nameNodeHandle(source: string): string | undefined {
  const classAt = source.indexOf(NODE_CLASS);
  const fieldAt = source.indexOf(NODE_HANDLE_FIELD, classAt);
  const constructorAt = source.indexOf('constructor(', classAt);
  const once = (piece: string): boolean => source.indexOf(piece) >= 0 && source.indexOf(piece) === source.lastIndexOf(piece);
  if (classAt < 0 || source.indexOf(NODE_CLASS, classAt + 1) >= 0 || fieldAt < 0 || fieldAt > constructorAt || !once(NODE_HANDLE_STORE) || !once(NODE_HANDLE_READ)) return undefined;
  const withField = `${source.slice(0, fieldAt)}_handle = 0;${source.slice(fieldAt + NODE_HANDLE_FIELD.length)}`;
  return withField.replace(NODE_HANDLE_STORE, 'this._handle = other;').replace(NODE_HANDLE_READ, 'C.setValue(address, node._handle, "i32");');
}

/** What must be left after the mend: no "i32" access through the generic accessors. */
const LEFT_OVER = /C\.[gs]etValue\([^;]*"i32"\)/;

/** `source` (web-tree-sitter.cjs or .js) with the mend; undefined when it does not hold the code mended (another version). */
export function patchWebTreeSitter(shipped: string): string | undefined {
  const source = nameNodeHandle(shipped);
  if (source === undefined) return undefined;
  let replaced = 0;
  const patched = source
    .replace(SET_I32, (_call, address: string, value: string) => {
      replaced++;
      return `C.HEAP_DATA_VIEW.setInt32(((${address}) >> 2) * 4, ${value}, true)`;
    })
    .replace(GET_I32, (_call, address: string) => {
      replaced++;
      return `C.HEAP_DATA_VIEW.getInt32(((${address}) >> 2) * 4, true)`;
    });
  if (replaced === 0 || LEFT_OVER.test(patched) || !source.includes('Module["HEAP_DATA_VIEW"] = HEAP_DATA_VIEW')) return undefined;
  // The input copy, once, where HEAPU16 is the module's own view.
  const copyAt = patched.indexOf(PARSE_INPUT_COPY);
  if (copyAt < 0 || patched.indexOf(PARSE_INPUT_COPY, copyAt + 1) >= 0 || !patched.includes('Module["HEAPU16"] = HEAPU16 = new Uint16Array(b);')) return undefined;
  return patched.slice(0, copyAt) + FAST_PARSE_INPUT_COPY + patched.slice(copyAt + PARSE_INPUT_COPY.length);
}
