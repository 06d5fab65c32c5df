/**
 * Hostile workspaces, generated into a temporary folder (never committed): a 50 MB file, a million-line
 * file, one 5 MB line, a binary file, UTF-16 files, invalid UTF-8, brackets and template blocks nested
 * 10,000 deep, and symbolic-link loops.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const MB = 1024 * 1024;
export const CACHE_HEADER = 'from django.core.cache import cache\n\n';

/** Writes `size` bytes made of `head`, repetitions of `unit`, then `tail`, in blocks (no 50 MB string in memory). */
function writeRepeated(file: string, head: string, unit: string, size: number, tail = ''): void {
  mkdirSync(dirname(file), { recursive: true });
  const descriptor = openSync(file, 'w');
  try {
    writeSync(descriptor, head);
    const block = unit.repeat(Math.max(1, Math.floor(MB / unit.length)));
    let written = Buffer.byteLength(head);
    const end = size - Buffer.byteLength(tail);
    while (written + Buffer.byteLength(block) <= end) written += writeSync(descriptor, block);
    const unitBytes = Buffer.byteLength(unit);
    while (written + unitBytes <= end) written += writeSync(descriptor, unit);
    writeSync(descriptor, tail);
  } finally {
    closeSync(descriptor);
  }
}

function write(root: string, path: string, content: string | Buffer): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** The three large files (each holds cache calls, so the pre-filter lets it through to the parser). */
export const LARGE_FILES = {
  /** 50 MB of generated module-level data. */
  fiftyMb: 'big/fifty_mb.py',
  /** 1,000,000 lines (about 6 MB). */
  millionLines: 'big/million_lines.py',
  /** One 5 MB line: a data literal with astral characters, and a cache call at its end. */
  longLine: 'big/long_line.py',
} as const;

/** The cache call at the end of the 5 MB line, and the line's length in UTF-16 code units and in code points up to it. */
export const LONG_LINE = { unit: '"item \u{1F600}", ', call: 'cache.set("long", DATA, 0)' } as const;

export function writeLargeFiles(root: string, which: readonly (keyof typeof LARGE_FILES)[] = ['fiftyMb', 'millionLines', 'longLine']): void {
  if (which.includes('fiftyMb')) {
    writeRepeated(join(root, LARGE_FILES.fiftyMb), `${CACHE_HEADER}cache.set("fifty", 1, 0)\n`, 'ROW = ("name", 12345, None)\n', 50 * MB);
  }
  if (which.includes('millionLines')) {
    const head = `${CACHE_HEADER}cache.set("million", 1, 0)\n`;
    writeRepeated(join(root, LARGE_FILES.millionLines), head, 'x = 1\n', Buffer.byteLength(head) + 6 * 1_000_000);
  }
  if (which.includes('longLine')) {
    writeRepeated(join(root, LARGE_FILES.longLine), `${CACHE_HEADER}DATA = [`, LONG_LINE.unit, 5 * MB, `]; ${LONG_LINE.call}\n`);
  }
}

/** The small hostile files: unreadable encodings, deep nesting, symbolic-link loops, and one ordinary finding. */
export function writeSmallHostileFiles(root: string): void {
  const sample = `${CACHE_HEADER}def stats():\n    cache.set("homepage:stats", 1, 0)\n`;
  write(root, 'app/__init__.py', '');
  write(root, 'app/views.py', sample);
  // Binary: NUL bytes (a compiled file saved as .py).
  write(root, 'app/binary.py', Buffer.concat([Buffer.from(sample), Buffer.from([0, 1, 2, 3, 0, 0xff, 0x00]), Buffer.alloc(4096, 0)]));
  // UTF-16 with a byte order mark (little and big endian), and without one (NUL bytes: taken as binary).
  write(root, 'app/utf16le.py', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sample, 'utf16le')]));
  write(root, 'app/utf16be.py', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(sample, 'utf16le').swap16()]));
  write(root, 'app/utf16_no_bom.py', Buffer.from(sample, 'utf16le'));
  // Invalid UTF-8: Latin-1 bytes, a truncated sequence, an overlong encoding, a lone surrogate encoded.
  write(root, 'app/invalid_utf8.py', Buffer.concat([Buffer.from(`${CACHE_HEADER}cache.set("caf`), Buffer.from([0xe9, 0x22, 0x2c, 0x20, 0xe2, 0x82, 0x20, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from(', 0)\n')]));
  // Brackets nested 10,000 deep, balanced and not.
  const deep = 10_000;
  write(root, 'app/nested_parens.py', `${CACHE_HEADER}cache.set("deep", ${'('.repeat(deep)}1${')'.repeat(deep)}, 0)\n`);
  write(root, 'app/nested_lists.py', `${CACHE_HEADER}DATA = ${'['.repeat(deep)}${']'.repeat(deep)}\ncache.set("deep", DATA, 0)\n`);
  write(root, 'app/nested_dicts.py', `${CACHE_HEADER}CACHES = ${'{"a": '.repeat(deep)}1${'}'.repeat(deep)}\ncache.set("deep", 1, 0)\n`);
  write(root, 'app/unbalanced.py', `${CACHE_HEADER}cache.set("deep", ${'(['.repeat(deep)}1, 0)\n${'"""'.repeat(3)}\n`);
  write(root, 'app/templates/app/nested_if.html', `{% load cache %}{% cache 500 deep %}${'{% if a %}'.repeat(deep)}{{ user }}${'{% endif %}'.repeat(deep)}{% endcache %}\n`);
  write(root, 'app/templates/app/nested_cache.html', `{% load cache %}${'{% cache 1 deep %}'.repeat(deep)}{{ user }}${'{% endcache %}'.repeat(deep)}\n`);
  write(root, 'app/templates/app/nested_unclosed.html', `{% load cache %}${'{% cache 1 open %}{% for x in y %}{{ ('.repeat(deep)}\n`);
  // Symbolic-link loops: a folder linking to its parent, to itself, and two files linking to each other.
  mkdirSync(join(root, 'loop'), { recursive: true });
  write(root, 'loop/models.py', sample);
  symlinkSync('..', join(root, 'loop', 'parent'));
  symlinkSync('.', join(root, 'loop', 'self'));
  symlinkSync('b.py', join(root, 'loop', 'a.py'));
  symlinkSync('a.py', join(root, 'loop', 'b.py'));
  symlinkSync('missing.py', join(root, 'loop', 'dangling.py'));
}

export interface MeasuredRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident set size of the CLI process, in MB. */
  peakRssMb: number;
  /** How it was measured. */
  rssSource: string;
  timedOut: boolean;
}

const TIME = '/usr/bin/time';

/**
 * Runs `node <args>` and measures its peak RSS: with /usr/bin/time -f %M when it is installed, else by polling
 * /proc/<pid>/status for VmHWM (the kernel's own high-water mark) until it exits (CACHE_COACH_RSS=proc forces that).
 */
export function measure(args: string[], cwd: string, timeoutMs: number): Promise<MeasuredRun> {
  const useTime = existsSync(TIME) && process.env.CACHE_COACH_RSS !== 'proc';
  const command = useTime ? TIME : process.execPath;
  const argv = useTime ? ['-f', '%M', process.execPath, ...args] : args;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let peakKb = 0;
    const poll = useTime
      ? undefined
      : setInterval(() => {
          try {
            const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (match) peakKb = Math.max(peakKb, Number(match[1]));
          } catch {
            // exited between two polls
          }
        }, 20);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let err = Buffer.concat(stderr).toString('utf8');
      if (useTime) {
        // /usr/bin/time writes its figure as the last line of stderr.
        const lines = err.trimEnd().split('\n');
        const last = lines.pop() ?? '';
        if (/^\d+$/.test(last.trim())) {
          peakKb = Number(last.trim());
          err = lines.length > 0 ? `${lines.join('\n')}\n` : '';
        }
        // "Command exited with non-zero status N" comes before it.
        err = err.replace(/^Command (exited with non-zero status \d+|terminated by signal \d+)\n/m, '');
      }
      resolve({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: err,
        ms: Date.now() - started,
        peakRssMb: Math.round(peakKb / 1024),
        rssSource: useTime ? `${TIME} -f %M` : '/proc/<pid>/status VmHWM',
        timedOut,
      });
    });
  });
}
