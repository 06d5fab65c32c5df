/** web-tree-sitter + tree-sitter-python. The caller supplies the two wasm binaries (no file access here). */
import { Language, Parser, type Tree } from 'web-tree-sitter';

export interface PythonWasm {
  /** web-tree-sitter.wasm */
  runtime: Uint8Array;
  /** tree-sitter-python.wasm */
  python: Uint8Array;
}

/**
 * How far one parse may grow the parser's heap. tree-sitter's wasm memory stops at 2 GB, and running out
 * aborts the module for good (every later parse fails too); dense code takes up to ~360 bytes of heap per
 * byte of source, so files far over the default max-file-size (2 MB) are stopped here instead.
 */
export const PARSER_MEMORY_LIMIT = 1024 * 1024 * 1024;

/** A parse stopped at PARSER_MEMORY_LIMIT: the file is not analysed. */
export class ParseLimitError extends Error {
  constructor(readonly length: number) {
    super(`too large for the Python parser (it needed over ${PARSER_MEMORY_LIMIT / (1024 * 1024)} MB of memory)`);
  }
}

let initialised: Promise<Language> | undefined;
/** The wasm module's memory, created here so that its size can be watched while parsing. */
let memory: WebAssembly.Memory | undefined;
/**
 * The shortest text stopped so far. Each stopped parse leaves the heap one growth step (about 20%) larger, so
 * texts at least this long are refused without trying: a run of huge files cannot creep up to the 2 GB abort.
 */
let shortestStopped = Number.POSITIVE_INFINITY;

export class PythonParser {
  private constructor(private readonly parser: Parser) {}

  static async create(wasm: PythonWasm): Promise<PythonParser> {
    initialised ??= (async () => {
      // 32 MB to start (emscripten's INITIAL_MEMORY), at most 2 GB (its maximum).
      memory = new WebAssembly.Memory({ initial: 512, maximum: 32768 });
      await Parser.init({ wasmBinary: wasm.runtime, wasmMemory: memory } as Parameters<typeof Parser.init>[0]);
      return Language.load(wasm.python);
    })();
    const language = await initialised;
    const parser = new Parser();
    parser.setLanguage(language);
    return new PythonParser(parser);
  }

  /**
   * Parses `text`; the caller must `delete()` the tree. `previous` (already edited) enables incremental reparsing.
   * Throws ParseLimitError when the parse would grow the heap past PARSER_MEMORY_LIMIT.
   */
  parse(text: string, previous?: Tree): Tree {
    if (text.length >= shortestStopped) throw new ParseLimitError(text.length);
    const heap = memory;
    const before = heap?.buffer.byteLength ?? 0;
    // The heap never shrinks: only a parse that grows it past the limit is stopped.
    const tooLarge = (): boolean => heap !== undefined && heap.buffer.byteLength > PARSER_MEMORY_LIMIT && heap.buffer.byteLength > before;
    // A lone \r ends a line for Python (and for LineIndex and editors), but tree-sitter-python runs comments
    // on to the next \n: give it \n instead. One character for one, so every offset stays the same.
    const source = text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
    const tree = this.parser.parse(source, previous ?? null, { progressCallback: tooLarge });
    if (!tree) {
      // A stopped parse would otherwise resume on the next call.
      this.parser.reset();
      shortestStopped = Math.min(shortestStopped, text.length);
      throw new ParseLimitError(text.length);
    }
    return tree;
  }
}
