/**
 * Texts read from a source (the disk), kept so that a scan reads each file once: rules that look through every
 * module (for a function's callers, for the REST_FRAMEWORK settings, for names used across TS files) would
 * otherwise read each file again. Up to a budget of characters; later files are read each time they are asked for.
 */
export class ReadTexts {
  private readonly texts = new Map<string, string | undefined>();
  private characters = 0;

  constructor(
    private readonly source: { read(path: string): string | undefined },
    /** 16 MB of ASCII: the non-test modules of most projects fit. */
    private readonly budget = 16 * 1024 * 1024,
  ) {}

  read(path: string): string | undefined {
    if (this.texts.has(path)) return this.texts.get(path);
    const text = this.source.read(path);
    const length = text?.length ?? 0;
    if (this.characters + length <= this.budget) {
      this.texts.set(path, text);
      this.characters += length;
    }
    return text;
  }

  /** The file changed or went away: read it again when next asked. */
  forget(path: string): void {
    this.characters -= this.texts.get(path)?.length ?? 0;
    this.texts.delete(path);
  }
}
