/**
 * The simulator's view: a form for set/get/add/delete, the virtual clock with "advance time", the
 * entries with their remaining TTL, a log of calls and results, and the cache-aside demo.
 */
import type { PageContext } from './context';
import { clear, h } from './dom';
import { CacheAsideDemo, CacheSimulator, DogpileDemo, formatSeconds, parseTimeout, pyRepr, restoreSimulator, saveSimulator, type DogpileRun, type LoadResult, type SimulatorState } from './simulator';

type Operation = 'set' | 'get' | 'add' | 'delete';

export class SimulatorView {
  readonly element: HTMLElement;
  private cache: CacheSimulator;
  private demo: CacheAsideDemo;
  private lastLoad: LoadResult | undefined;
  private readonly clock = h('output', { class: 'clock-value', attrs: { 'aria-live': 'polite' } });
  private readonly entries = h('tbody');
  private readonly log = h('ol', { class: 'sim-log', attrs: { 'aria-label': 'Calls and results' } });
  private readonly error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  private readonly stats = h('dl', { class: 'demo-stats' });
  private readonly lastResult = h('p', { class: 'demo-last', attrs: { 'aria-live': 'polite' } });
  private readonly operation = h('select', { attrs: { 'aria-label': 'Operation', name: 'operation' } },
    (['set', 'get', 'add', 'delete'] as const).map((op) => h('option', { attrs: { value: op } }, `cache.${op}()`)));
  private readonly key = h('input', { attrs: { type: 'text', name: 'key', value: 'greeting', 'aria-label': 'Key', spellcheck: 'false', maxlength: 250 } });
  private readonly value = h('input', { attrs: { type: 'text', name: 'value', value: 'hello', 'aria-label': 'Value', spellcheck: 'false', maxlength: 1000 } });
  private readonly timeout = h('input', { attrs: { type: 'text', name: 'timeout', value: '30', placeholder: '300 (default)', 'aria-label': 'Timeout in seconds, or None', spellcheck: 'false', maxlength: 20 } });
  private readonly advanceBy = h('input', { attrs: { type: 'number', name: 'advance', value: '5', min: '1', max: '86400', 'aria-label': 'Seconds to advance' } });
  private readonly product = h('select', { attrs: { 'aria-label': 'Product', name: 'product' } },
    Object.entries(CacheAsideDemo.NAMES).map(([id, name]) => h('option', { attrs: { value: id } }, `${id}: ${name}`)));
  private readonly invalidate = h('input', { attrs: { type: 'checkbox', name: 'invalidate' } });
  private readonly useLock = h('input', { attrs: { type: 'checkbox', name: 'lock' } });
  private readonly dogpileResult = h('p', { class: 'dogpile-result', attrs: { 'aria-live': 'polite' } });
  private lastDogpile: DogpileRun | undefined;

  constructor(private readonly ctx: PageContext, restored: SimulatorState | null) {
    const saved = restored ? restoreSimulator(restored) : undefined;
    this.cache = saved?.cache ?? new CacheSimulator();
    this.demo = saved?.demo ?? new CacheAsideDemo(this.cache);
    this.invalidate.checked = this.demo.invalidateOnWrite;
    this.operation.addEventListener('change', () => this.syncFields());
    this.invalidate.addEventListener('change', () => {
      this.demo.invalidateOnWrite = this.invalidate.checked;
      this.changed();
    });
    const submitOnEnter = (event: KeyboardEvent): void => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.run();
      }
    };
    for (const input of [this.key, this.value, this.timeout]) input.addEventListener('keydown', submitOnEnter);
    this.element = this.build();
    this.syncFields();
    this.update();
  }

  state(): SimulatorState {
    return saveSimulator(this.cache, this.demo);
  }

  private button(text: string, className: string, onClick: () => void, label?: string): HTMLButtonElement {
    return h('button', { class: className, attrs: { type: 'button', ...(label ? { 'aria-label': label } : {}) }, on: { click: onClick } }, text);
  }

  private build(): HTMLElement {
    const advance = (seconds: number): HTMLButtonElement => this.button(`+${formatSeconds(seconds * 1000)}`, 'secondary advance', () => this.advance(seconds), `Advance the clock ${seconds} seconds`);
    return h('section', { class: 'simulator', attrs: { 'aria-label': 'Cache simulator' } },
      h('h1', { attrs: { tabindex: -1 } }, 'Cache simulator'),
      h('p', null, 'A cache that behaves like Django\'s local-memory backend, on a virtual clock: store entries with a timeout, move time on, and watch them expire. Expiry is checked when a key is read. Nothing here touches a real cache.'),
      h('div', { class: 'sim-grid' },
        h('div', { class: 'sim-controls' },
          h('h2', null, 'Call the cache'),
          h('div', { class: 'field-row' },
            h('label', null, 'Operation', this.operation),
            h('label', { class: 'key-field' }, 'Key', this.key),
            h('label', { class: 'value-field' }, 'Value', this.value),
            h('label', { class: 'timeout-field' }, 'Timeout (s)', this.timeout)),
          h('div', { class: 'button-row' }, this.button('Run', 'primary sim-run', () => this.run())),
          this.error,
          h('h2', null, 'Time'),
          h('p', { class: 'clock' }, 'Virtual clock: ', this.clock),
          h('div', { class: 'button-row' }, advance(1), advance(10), advance(60), advance(300),
            h('label', { class: 'inline' }, '+', this.advanceBy, 's'), this.button('Advance', 'secondary sim-advance', () => this.advance(Number(this.advanceBy.value)))),
          this.button('Clear the simulator', 'secondary sim-reset', () => this.reset())),
        h('div', { class: 'sim-state' },
          h('h2', null, 'Entries'),
          h('table', { class: 'entries' },
            h('thead', null, h('tr', null, h('th', null, 'Key'), h('th', null, 'Value'), h('th', null, 'Expires in'))),
            this.entries),
          h('h2', null, 'Calls'),
          this.log)),
      h('h2', null, 'Cache-aside against a slow database'),
      h('p', null, `Each product page reads the cache first; on a miss it queries the database (${CacheAsideDemo.DB_MS} ms here) and stores the product for ${CacheAsideDemo.TTL_SECONDS} s. Load the same product twice, let time pass, change a price: the entries above and the counters below show what happens.`),
      h('pre', { class: 'code' }, h('code', null, [
        'def product_detail(product_id):',
        '    key = f"product:{product_id}"',
        '    product = cache.get(key)',
        '    if product is None:                                   # a miss',
        '        product = Product.objects.get(pk=product_id)     # slow',
        `        cache.set(key, product, ${CacheAsideDemo.TTL_SECONDS})`,
        '    return product',
      ].join('\n'))),
      h('div', { class: 'field-row' },
        h('label', null, 'Product', this.product),
        this.button('Load the product', 'primary demo-load', () => this.load()),
        this.button('Change its price in the database', 'secondary demo-change', () => this.changePrice())),
      h('label', { class: 'checkbox' }, this.invalidate, ' delete the cached copy when the price changes (invalidation)'),
      this.lastResult,
      this.stats,
      h('h2', null, 'One hot key, many readers'),
      h('p', null, `The key ${pyRepr(DogpileDemo.KEY)} is fresh for ${DogpileDemo.FRESH_SECONDS} s; a copy under ${pyRepr(DogpileDemo.STALE_KEY)} is kept for ${formatSeconds(DogpileDemo.STALE_SECONDS * 1000)}. When it expires, ${DogpileDemo.READERS} readers arrive within the ${DogpileDemo.REBUILD_MS} ms one rebuild takes. Without a lock each of them rebuilds; with a cache.add() lock one rebuilds and the others serve the stale copy. The calls appear in the log above; `, this.ctx.sectionLink('stampede', 'Stampedes and locks'), ' explains the pattern.'),
      h('label', { class: 'checkbox' }, this.useLock, ` rebuild behind cache.add(${pyRepr(DogpileDemo.LOCK_KEY)}, ..., ${DogpileDemo.LOCK_SECONDS}), serve the stale copy meanwhile`),
      h('div', { class: 'button-row' }, this.button(`Let the key expire and send ${DogpileDemo.READERS} readers`, 'primary dogpile-run', () => this.dogpile())),
      this.dogpileResult);
  }

  private syncFields(): void {
    const op = this.operation.value as Operation;
    const writes = op === 'set' || op === 'add';
    this.value.disabled = !writes;
    this.timeout.disabled = !writes;
    this.value.parentElement!.classList.toggle('disabled', !writes);
    this.timeout.parentElement!.classList.toggle('disabled', !writes);
  }

  /** Runs the form's call. Returns false (and says why) when the input is not usable. */
  run(): boolean {
    this.error.textContent = '';
    const op = this.operation.value as Operation;
    const key = this.key.value;
    if (!key) {
      this.error.textContent = 'Give a key.';
      return false;
    }
    if (/[\s\u0000-\u001f\u007f]/.test(key)) {
      // Django accepts it with a CacheKeyWarning; memcached would refuse it.
      this.error.textContent = 'Note: a key with spaces or control characters draws a CacheKeyWarning, and memcached refuses it.';
    }
    if (op === 'set' || op === 'add') {
      const timeout = parseTimeout(this.timeout.value);
      if (!timeout.ok) {
        this.error.textContent = timeout.error;
        return false;
      }
      if (op === 'set') this.cache.set(key, this.value.value, timeout.timeout);
      else this.cache.add(key, this.value.value, timeout.timeout);
    } else if (op === 'get') this.cache.get(key);
    else this.cache.delete(key);
    this.changed();
    return true;
  }

  private advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
      this.error.textContent = 'Advance by 1 second to 1 day.';
      return;
    }
    this.error.textContent = '';
    this.cache.advance(seconds);
    this.changed();
  }

  private load(): void {
    this.lastLoad = this.demo.load(Number(this.product.value));
    this.changed();
  }

  private dogpile(): void {
    this.lastDogpile = new DogpileDemo(this.cache).run(this.useLock.checked);
    this.changed();
  }

  private changePrice(): void {
    this.demo.changePrice(Number(this.product.value));
    this.lastLoad = undefined;
    this.changed();
  }

  private reset(): void {
    this.cache = new CacheSimulator();
    this.demo = new CacheAsideDemo(this.cache);
    this.demo.invalidateOnWrite = this.invalidate.checked;
    this.lastLoad = undefined;
    this.changed();
  }

  private changed(): void {
    this.update();
    this.ctx.save();
  }

  private update(): void {
    this.clock.textContent = `t = ${formatSeconds(this.cache.now)}`;
    clear(this.entries);
    const rows = this.cache.table();
    if (rows.length === 0) this.entries.append(h('tr', { class: 'empty' }, h('td', { attrs: { colspan: 3 } }, 'The cache is empty.')));
    for (const row of rows) {
      const left = row.expired ? 'expired' : row.remaining === null ? 'never (None)' : formatSeconds(row.remaining);
      this.entries.append(h('tr', { class: row.expired ? 'expired' : '', data: { key: row.key } },
        h('td', { class: 'mono' }, pyRepr(row.key)), h('td', { class: 'mono' }, pyRepr(row.value)), h('td', { class: 'ttl' }, left)));
    }
    clear(this.log);
    for (const line of this.cache.log.slice(-30).reverse()) {
      this.log.append(h('li', { class: `log-${line.kind}` },
        h('span', { class: 'log-time' }, `t=${formatSeconds(line.at)}`), ' ',
        h('code', null, line.call), line.result ? [' → ', h('code', { class: 'log-result' }, line.result)] : null,
        line.kind === 'hit' ? [' ', h('span', { class: 'badge hit' }, 'hit')] : line.kind === 'miss' ? [' ', h('span', { class: 'badge miss' }, 'miss')] : null,
        line.note ? h('span', { class: 'log-note' }, ` ${line.note}`) : null));
    }
    const demo = this.demo;
    clear(this.stats);
    const stat = (name: string, value: string, className: string): HTMLElement => h('div', { class: 'stat' }, h('dt', null, name), h('dd', { class: className }, value));
    this.stats.append(stat('Requests', String(demo.requests), 'stat-requests'), stat('Hits', String(demo.hits), 'stat-hits'),
      stat('Misses', String(demo.misses), 'stat-misses'), stat('Database queries', String(demo.misses), 'stat-queries'),
      stat('Time spent', formatSeconds(demo.timeSpentMs), 'stat-spent'), stat('Time saved by the cache', formatSeconds(demo.timeSavedMs), 'stat-saved'));
    const last = this.lastLoad;
    this.lastResult.textContent = last
      ? `${last.key}: ${last.hit ? `hit, ${last.ms} ms` : `miss, read from the database in ${last.ms} ms and cached for ${CacheAsideDemo.TTL_SECONDS} s`}. Shown: ${last.shown}.${last.stale ? ` Stale: the database now says ${demo.describe(last.id)}.` : ''}`
      : '';
    this.lastResult.classList.toggle('stale', Boolean(last?.stale));
    const run = this.lastDogpile;
    this.dogpileResult.textContent = run
      ? `${run.readers} readers, ${run.rebuilds} ${run.rebuilds === 1 ? 'rebuild' : 'rebuilds'} (${formatSeconds(run.databaseMs)} of database work)${run.withLock ? `, ${run.servedStale} served the stale copy at once` : ''}.`
      : '';
  }
}
