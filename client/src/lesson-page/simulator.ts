/**
 * The cache simulator's model: Django's low-level API (set/get/add/delete) against a virtual clock, so
 * expiry can be watched without waiting, and a cache-aside demo against a slow fake database. No DOM:
 * the view (simulator-view.ts) draws it and the tests drive it directly.
 *
 * Semantics follow Django's local-memory backend: a timeout is in seconds; none given means the alias
 * default (300 s); `None` means never; 0 or less means the entry expires at once. Expiry is checked
 * when a key is read: an expired entry stays in the table, marked expired, until a read removes it.
 */
import { arr, bool, int, nullable, num, obj, record, str, type Infer } from '../lesson/schema';

export const DEFAULT_TIMEOUT_SECONDS = 300;
const MAX_LOG = 100;
const MAX_ENTRIES = 200;

/** undefined: the alias default; null: never expires (Python's None). */
export type Timeout = number | null | undefined;

export interface Entry {
  key: string;
  value: string;
  /** Virtual milliseconds; null: never. */
  expiresAt: number | null;
}

export interface LogLine {
  at: number;
  call: string;
  result: string;
  note?: string;
  kind: 'hit' | 'miss' | 'write' | 'info';
}

const EntryState = obj({ key: str({ max: 250 }), value: str({ max: 1000 }), expiresAt: nullable(num(-1e15, 1e15)) });
const LogState = obj({ at: num(0, 1e15), call: str({ max: 2000 }), result: str({ max: 2000 }), note: nullable(str({ max: 500 })), kind: str({ max: 10, pattern: /^(hit|miss|write|info)$/ }) });
export const SimulatorState = obj({
  now: num(0, 1e15),
  entries: arr(EntryState, MAX_ENTRIES),
  log: arr(LogState, MAX_LOG),
  demo: obj({
    prices: record(str({ max: 3, pattern: /^[0-9]+$/ }), num(0, 1e6), 10),
    invalidateOnWrite: bool,
    requests: int(0, 1e9),
    hits: int(0, 1e9),
    misses: int(0, 1e9),
    timeSpentMs: num(0, 1e15),
    timeSavedMs: num(0, 1e15),
  }),
});
export type SimulatorState = Infer<typeof SimulatorState>;

/** Python's repr() of a str, near enough for display: single quotes unless the text holds one. */
export function pyRepr(value: string | null | boolean): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const body = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}

export function formatTimeout(timeout: Timeout): string {
  return timeout === undefined ? '' : timeout === null ? 'None' : String(timeout);
}

/** The learner's timeout field: '' -> default, 'None' -> never, a number of seconds; else an error. */
export function parseTimeout(text: string): { ok: true; timeout: Timeout } | { ok: false; error: string } {
  const value = text.trim();
  if (value === '') return { ok: true, timeout: undefined };
  if (/^none$/i.test(value)) return { ok: true, timeout: null };
  if (/^-?\d+(\.\d+)?$/.test(value) && Math.abs(Number(value)) <= 1e9) return { ok: true, timeout: Number(value) };
  return { ok: false, error: 'A timeout is a number of seconds, or None for "never"; leave it empty for the default (300 s).' };
}

/** A duration for display: "45 s", "2.5 s", "5 min", "7.5 min", "2 h". */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  const figure = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));
  if (Math.abs(seconds) >= 3600) return `${figure(Math.round((seconds / 3600) * 10) / 10)} h`;
  if (Math.abs(seconds) >= 120) return `${figure(Math.round((seconds / 60) * 10) / 10)} min`;
  return `${figure(Math.round(seconds * 10) / 10)} s`;
}

export class CacheSimulator {
  now = 0;
  readonly entries = new Map<string, Entry>();
  log: LogLine[] = [];

  isExpired(entry: Entry): boolean {
    return entry.expiresAt !== null && entry.expiresAt <= this.now;
  }

  /** Milliseconds an entry has left: null for never, 0 once expired. */
  remaining(entry: Entry): number | null {
    return entry.expiresAt === null ? null : Math.max(0, entry.expiresAt - this.now);
  }

  private expiresAt(timeout: Timeout): number | null {
    if (timeout === null) return null;
    return this.now + (timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : timeout) * 1000;
  }

  private record(line: Omit<LogLine, 'at'>): void {
    this.log.push({ at: this.now, ...line });
    if (this.log.length > MAX_LOG) this.log = this.log.slice(-MAX_LOG);
  }

  /** How the call reads in Python: `cache.set('k', 'v', 30)`; the default timeout is left out. */
  private call(name: string, key: string, value?: string, timeout?: Timeout): string {
    const args = [pyRepr(key)];
    if (value !== undefined) args.push(pyRepr(value));
    if (timeout !== undefined) args.push(formatTimeout(timeout));
    return `cache.${name}(${args.join(', ')})`;
  }

  /** The entry under a key if it is still readable; an expired one is removed, as Django does on a read. */
  private readable(key: string): { entry?: Entry; expired: boolean } {
    const entry = this.entries.get(key);
    if (!entry) return { expired: false };
    if (this.isExpired(entry)) {
      this.entries.delete(key);
      return { expired: true };
    }
    return { entry, expired: false };
  }

  private store(key: string, value: string, timeout: Timeout): void {
    if (!this.entries.has(key) && this.entries.size >= MAX_ENTRIES) {
      // The simulator's own limit, much like a real cache's eviction: the oldest entry goes.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(key); // re-insert: newest last
    this.entries.set(key, { key, value, expiresAt: this.expiresAt(timeout) });
  }

  private timeoutNote(timeout: Timeout): string | undefined {
    if (timeout === null) return 'timeout None: the entry never expires; only a delete (or eviction) removes it.';
    if (timeout !== undefined && timeout <= 0) return 'a timeout of 0 or less expires the entry at once: nothing will read it back.';
    if (timeout === undefined) return `no timeout given: the alias default, ${DEFAULT_TIMEOUT_SECONDS} s.`;
    return undefined;
  }

  set(key: string, value: string, timeout?: Timeout): null {
    this.store(key, value, timeout);
    const note = this.timeoutNote(timeout);
    this.record({ call: this.call('set', key, value, timeout), result: 'None', kind: 'write', ...(note ? { note } : {}) });
    return null;
  }

  add(key: string, value: string, timeout?: Timeout): boolean {
    const { entry, expired } = this.readable(key);
    if (entry) {
      this.record({ call: this.call('add', key, value, timeout), result: 'False', kind: 'info', note: 'the key exists: add() leaves it alone.' });
      return false;
    }
    this.store(key, value, timeout);
    const note = expired ? 'the old entry had expired, so add() wrote.' : this.timeoutNote(timeout);
    this.record({ call: this.call('add', key, value, timeout), result: 'True', kind: 'write', ...(note ? { note } : {}) });
    return true;
  }

  get(key: string): string | null {
    const { entry, expired } = this.readable(key);
    const call = this.call('get', key);
    if (entry) {
      this.record({ call, result: pyRepr(entry.value), kind: 'hit' });
      return entry.value;
    }
    this.record({ call, result: 'None', kind: 'miss', note: expired ? 'the entry had expired: this read removed it.' : 'no such key.' });
    return null;
  }

  /**
   * True when the key was stored, even if its time was up: LocMemCache's delete() removes whatever is
   * in the store and does not check expiry, and an expired entry stays there until something reads it.
   */
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    const expired = entry !== undefined && this.isExpired(entry);
    this.entries.delete(key);
    const note = entry === undefined ? 'no such key.' : expired ? 'the entry had expired but nothing had read it, so it was still stored: delete() removed it and says True.' : undefined;
    this.record({ call: this.call('delete', key), result: entry ? 'True' : 'False', kind: entry ? 'write' : 'info', ...(note ? { note } : {}) });
    return entry !== undefined;
  }

  advance(seconds: number): void {
    if (!(seconds > 0)) return;
    this.now += Math.round(seconds * 1000);
    this.record({ call: `(time passes: +${formatSeconds(seconds * 1000)})`, result: '', kind: 'info' });
  }

  /** Entries in insertion order, each with its remaining time. */
  table(): (Entry & { remaining: number | null; expired: boolean })[] {
    return [...this.entries.values()].map((entry) => ({ ...entry, remaining: this.remaining(entry), expired: this.isExpired(entry) }));
  }
}

/** A product row of the fake database. */
export interface Product {
  id: number;
  name: string;
  price: number;
}

export interface LoadResult {
  id: number;
  key: string;
  hit: boolean;
  ms: number;
  shown: string;
  stale: boolean;
}

/**
 * cache-aside: `product = cache.get(key)`; on a miss read the slow database and `cache.set(key,
 * product, ttl)`. Each request moves the virtual clock on by its own duration.
 */
export class CacheAsideDemo {
  static readonly DB_MS = 800;
  static readonly CACHE_MS = 2;
  static readonly TTL_SECONDS = 30;
  static readonly NAMES: Readonly<Record<number, string>> = { 1: 'Tea', 2: 'Mug', 3: 'Teapot' };

  prices: Record<string, number> = { 1: 12, 2: 7.5, 3: 30 };
  invalidateOnWrite = false;
  requests = 0;
  hits = 0;
  misses = 0;
  timeSpentMs = 0;
  timeSavedMs = 0;

  constructor(readonly cache: CacheSimulator) {}

  static key(id: number): string {
    return `product:${id}`;
  }

  describe(id: number): string {
    return `${CacheAsideDemo.NAMES[id] ?? `Product ${id}`} at ${(this.prices[id] ?? 0).toFixed(2)}`;
  }

  load(id: number): LoadResult {
    const key = CacheAsideDemo.key(id);
    const cached = this.cache.get(key);
    this.requests++;
    let ms: number;
    let shown: string;
    if (cached !== null) {
      this.hits++;
      ms = CacheAsideDemo.CACHE_MS;
      this.timeSavedMs += CacheAsideDemo.DB_MS;
      shown = cached;
    } else {
      this.misses++;
      ms = CacheAsideDemo.CACHE_MS + CacheAsideDemo.DB_MS + CacheAsideDemo.CACHE_MS;
      shown = this.describe(id);
      this.cache.log.push({ at: this.cache.now, call: `Product.objects.get(pk=${id})`, result: `<${shown}>`, kind: 'info', note: `the slow database: ${CacheAsideDemo.DB_MS} ms.` });
      this.cache.set(key, shown, CacheAsideDemo.TTL_SECONDS);
    }
    this.timeSpentMs += ms;
    this.cache.now += ms;
    return { id, key, hit: cached !== null, ms, shown, stale: shown !== this.describe(id) };
  }

  /** The price changes in the database; with invalidation on, the cached copy is deleted too. */
  changePrice(id: number): void {
    this.prices[id] = Math.round(((this.prices[id] ?? 0) + 1.5) * 100) / 100;
    this.cache.log.push({ at: this.cache.now, call: `Product.objects.filter(pk=${id}).update(price=${this.prices[id]!.toFixed(2)})`, result: '', kind: 'info', note: this.invalidateOnWrite ? 'and the cached copy is deleted:' : 'the cached copy (if any) is now stale.' });
    if (this.invalidateOnWrite) this.cache.delete(CacheAsideDemo.key(id));
  }
}

export interface DogpileRun {
  readers: number;
  withLock: boolean;
  rebuilds: number;
  servedStale: number;
  databaseMs: number;
}

/**
 * A hot key expires and ten readers arrive within the time one rebuild takes (the lesson's
 * "Stampedes and locks"). Without a lock every reader misses and rebuilds; with a `cache.add()` lock
 * one reader rebuilds and the others serve the stale copy kept under a second key.
 */
export class DogpileDemo {
  static readonly KEY = 'prices';
  static readonly STALE_KEY = 'prices:stale';
  static readonly LOCK_KEY = 'prices:lock';
  static readonly READERS = 10;
  static readonly FRESH_SECONDS = 60;
  static readonly STALE_SECONDS = 600;
  static readonly LOCK_SECONDS = 30;
  static readonly REBUILD_MS = 800;

  private version = 1;

  constructor(readonly cache: CacheSimulator) {}

  private query(): string {
    this.cache.log.push({ at: this.cache.now, call: 'Price.objects.all()  # the slow rebuild', result: '', kind: 'info', note: `${DogpileDemo.REBUILD_MS} ms of database work.` });
    return `prices v${this.version++}`;
  }

  private store(value: string): void {
    this.cache.set(DogpileDemo.KEY, value, DogpileDemo.FRESH_SECONDS);
    this.cache.set(DogpileDemo.STALE_KEY, value, DogpileDemo.STALE_SECONDS);
  }

  run(withLock: boolean, readers = DogpileDemo.READERS): DogpileRun {
    // The hot key exists with its stale copy, then its fresh time runs out.
    if (this.cache.get(DogpileDemo.STALE_KEY) === null) this.store(this.query());
    this.cache.advance(DogpileDemo.FRESH_SECONDS);
    let rebuilds = 0;
    let servedStale = 0;
    let winner = false;
    const missed: number[] = [];
    for (let reader = 0; reader < readers; reader++) {
      if (this.cache.get(DogpileDemo.KEY) !== null) continue;
      if (!withLock) {
        missed.push(reader);
      } else if (this.cache.add(DogpileDemo.LOCK_KEY, `reader ${reader + 1}`, DogpileDemo.LOCK_SECONDS)) {
        winner = true;
      } else if (this.cache.get(DogpileDemo.STALE_KEY) !== null) {
        servedStale++;
      } else {
        missed.push(reader);
      }
    }
    // Every reader arrived before the first rebuild finished: now the rebuilds run.
    for (let index = 0; index < missed.length + (winner ? 1 : 0); index++) {
      rebuilds++;
      this.store(this.query());
    }
    if (winner) this.cache.delete(DogpileDemo.LOCK_KEY);
    this.cache.now += DogpileDemo.REBUILD_MS;
    return { readers, withLock, rebuilds, servedStale, databaseMs: rebuilds * DogpileDemo.REBUILD_MS };
  }
}

export function saveSimulator(cache: CacheSimulator, demo: CacheAsideDemo): SimulatorState {
  return {
    now: cache.now,
    entries: [...cache.entries.values()].map((entry) => ({ ...entry })),
    log: cache.log.map((line) => ({ at: line.at, call: line.call, result: line.result, note: line.note ?? null, kind: line.kind })),
    demo: { prices: { ...demo.prices }, invalidateOnWrite: demo.invalidateOnWrite, requests: demo.requests, hits: demo.hits, misses: demo.misses, timeSpentMs: demo.timeSpentMs, timeSavedMs: demo.timeSavedMs },
  };
}

export function restoreSimulator(state: SimulatorState): { cache: CacheSimulator; demo: CacheAsideDemo } {
  const cache = new CacheSimulator();
  cache.now = state.now;
  for (const entry of state.entries) cache.entries.set(entry.key, { ...entry });
  cache.log = state.log.map((line) => ({ at: line.at, call: line.call, result: line.result, kind: line.kind as LogLine['kind'], ...(line.note ? { note: line.note } : {}) }));
  const demo = new CacheAsideDemo(cache);
  Object.assign(demo, { ...state.demo, prices: { ...demo.prices, ...state.demo.prices } });
  return { cache, demo };
}
