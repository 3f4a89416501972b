/**
 * The demo's randomness: seeded, so that `flowtrace demo --seed N` sends the
 * same executions with the same ids every time. Each item draws from a stream
 * of its own (`fork`), so what one item draws never shifts another's: an
 * execution keeps its id whatever time of day the demo runs at.
 */
export class Random {
  readonly #key: string;
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(key: string) {
    this.#key = key;
    this.#a = hash32(key, 0x9e3779b9);
    this.#b = hash32(key, 0x85ebca6b);
    this.#c = hash32(key, 0xc2b2ae35);
    this.#d = hash32(key, 0x27d4eb2f);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** The stream of `flowtrace demo --seed seed`. */
  static seeded(seed: number): Random {
    return new Random(`flowtrace-demo:${seed}`);
  }

  /** An independent stream, the same for the same labels: drawing from it leaves this one as it was. */
  fork(...labels: Array<string | number>): Random {
    return new Random(`${this.#key}/${labels.join('/')}`);
  }

  /** A number in [0, 1) (sfc32). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One of `items`, each as likely as its weight. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((n, [, w]) => n + w, 0);
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items.at(-1)![0];
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A log-normal draw: half the draws below `median`; `sigma` sets how heavy the tail is (0.5: p99 ≈ 3.2 × median). */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** How many events of a Poisson process with this mean (small means). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = this.next(); p > limit; p *= this.next()) k++;
    return k;
  }

  /** 1, 2, 3, … with this mean (geometric). */
  geometric(mean: number): number {
    let n = 1;
    while (this.chance(1 - 1 / mean) && n < 50) n++;
    return n;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 4294967296).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** A version-4 UUID drawn from this stream. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** Letters and digits, as in Workato's job ids (j-AEcaNzd9-dGQ4Bf). */
  alnum(length: number): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    for (let i = 0; i < length; i++) out += chars[Math.floor(this.next() * chars.length)];
    return out;
  }
}

/** Picks among many items by weight in O(log n): users by activity, integrations by share. */
export class Weighted<T> {
  readonly items: readonly T[];
  readonly #cumulative: number[];

  constructor(items: readonly T[], weight: (item: T) => number) {
    this.items = items;
    let total = 0;
    this.#cumulative = items.map((item) => (total += weight(item)));
  }

  pick(rnd: Random): T {
    const x = rnd.next() * this.#cumulative.at(-1)!;
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

/** MurmurHash3's 32-bit mix over a string. */
function hash32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
