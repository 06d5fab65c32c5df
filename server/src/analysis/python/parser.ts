/** web-tree-sitter + tree-sitter-python. The caller supplies the two wasm binaries (no file access here). */
import { Language, Parser, type Tree } from 'web-tree-sitter';

export interface PythonWasm {
  /** web-tree-sitter.wasm */
  runtime: Uint8Array;
  /** tree-sitter-python.wasm */
  python: Uint8Array;
}

let initialised: Promise<Language> | undefined;

export class PythonParser {
  private constructor(private readonly parser: Parser) {}

  static async create(wasm: PythonWasm): Promise<PythonParser> {
    initialised ??= (async () => {
      await Parser.init({ wasmBinary: wasm.runtime });
      return Language.load(wasm.python);
    })();
    const language = await initialised;
    const parser = new Parser();
    parser.setLanguage(language);
    return new PythonParser(parser);
  }

  /** Parses `text`; the caller must `delete()` the tree. `previous` (already edited) enables incremental reparsing. */
  parse(text: string, previous?: Tree): Tree {
    const tree = this.parser.parse(text, previous ?? null);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  }
}
