/**
 * A mend to web-tree-sitter's JS glue, applied to its source text when it is bundled (esbuild.config.mjs).
 *
 * Every node the glue hands out, and every question asked of one, goes through a transfer buffer in wasm memory:
 * `C.setValue(address, value, "i32")` and `C.getValue(address, "i32")`, emscripten's generic accessors, which
 * test the type string (`endsWith("*")`, then a switch) on each call. Reading a module's facts makes several such
 * calls per node, tens of thousands per scan; they were a sixth of the time the facts took. The mend writes each
 * call as what the "i32" case does: a little-endian 32-bit access at the address rounded down to 4, through the
 * module's current DataView (`HEAP_DATA_VIEW`, replaced whenever the memory grows). Every other call is unchanged.
 */

const SET_I32 = /C\.setValue\(([^,()]+), ([^,()]+), "i32"\)/g;
const GET_I32 = /C\.getValue\(([^,()]+), "i32"\)/g;
/** What must be left after the mend: no "i32" access through the generic accessors. */
const LEFT_OVER = /C\.[gs]etValue\([^;]*"i32"\)/;

/** `source` (web-tree-sitter.cjs or .js) with the mend; undefined when it does not hold the code mended (another version). */
export function patchWebTreeSitter(source: string): string | undefined {
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
  return patched;
}
