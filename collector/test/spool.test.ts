/**
 * The spool against a real directory: order, positions, rotation, the size
 * cap, recovery from torn tails, and crashes of a process killed mid-append.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, SpoolFullError, type SpoolOptions, type SpoolRecord } from '../src/sink/spool.js';

const HEADER = 16;
const ALL = { records: 1_000_000, bytes: 1 << 30 };

let dir: string;
let opened: Spool[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowtrace-spool-'));
  opened = [];
});
afterEach(async () => {
  for (const s of opened) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function openSpool(options: Partial<SpoolOptions> = {}): Promise<Spool> {
  const spool = await Spool.open({ dir, maxBytes: 1 << 30, ...options });
  opened.push(spool);
  return spool;
}

async function reopen(spool: Spool, options: Partial<SpoolOptions> = {}): Promise<Spool> {
  await spool.close();
  return openSpool(options);
}

const text = (records: SpoolRecord[]) => records.map((r) => `${r.seq}:${r.payload.toString()}`);
const segments = async () => (await readdir(dir)).filter((n) => n.endsWith('.seg')).sort();
async function appendAll(spool: Spool, payloads: string[]): Promise<bigint[]> {
  const seqs: bigint[] = [];
  for (const p of payloads) seqs.push(await spool.append(Buffer.from(p)));
  return seqs;
}

describe('Spool', () => {
  it('hands out records in order; a second read continues after the first; a commit is not handed out again', async () => {
    const spool = await openSpool();
    expect(await appendAll(spool, ['a', 'b', 'c', 'd', 'e'])).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(text(await spool.read({ records: 2, bytes: 100 }))).toEqual(['1:a', '2:b']);
    expect(text(await spool.read({ records: 2, bytes: 100 }))).toEqual(['3:c', '4:d']);
    await spool.commit(4n);
    expect([spool.depthRecords, spool.depthBytes]).toEqual([1, HEADER + 1]);
    expect(text(await spool.read(ALL))).toEqual(['5:e']);
    expect(await spool.read(ALL)).toEqual([]);
    await expect(spool.commit(6n)).rejects.toThrow(RangeError);
  });

  it('stops before the byte budget, but hands out one record larger than it', async () => {
    const spool = await openSpool();
    await appendAll(spool, ['xxxx', 'yyyy', 'zzzzzzzzzz']);
    expect(text(await spool.read({ records: 10, bytes: 9 }))).toEqual(['1:xxxx', '2:yyyy']);
    expect(text(await spool.read({ records: 10, bytes: 3 }))).toEqual(['3:zzzzzzzzzz']);
  });

  it('rewind hands out again every record not committed', async () => {
    const spool = await openSpool();
    await appendAll(spool, ['a', 'b', 'c', 'd']);
    await spool.read({ records: 3, bytes: 100 });
    await spool.commit(1n);
    spool.rewind();
    expect(text(await spool.read(ALL))).toEqual(['2:b', '3:c', '4:d']);
  });

  it('after a restart, hands out the uncommitted records (read or not) and continues the seqs', async () => {
    let spool = await openSpool();
    await appendAll(spool, ['a', 'b', 'c', 'd', 'e']);
    await spool.read({ records: 3, bytes: 100 });
    await spool.commit(2n);
    spool = await reopen(spool);
    expect([spool.depthRecords, spool.depthBytes]).toEqual([3, 3 * (HEADER + 1)]);
    expect(text(await spool.read(ALL))).toEqual(['3:c', '4:d', '5:e']);
    expect(await spool.append(Buffer.from('f'))).toBe(6n);
    await spool.commit(5n);
    spool = await reopen(spool);
    expect(text(await spool.read(ALL))).toEqual(['6:f']);
  });

  it('rotates segments, names them by first seq and deletes those fully committed', async () => {
    // Three 40-byte records (56 bytes framed) per 200-byte segment.
    let spool = await openSpool({ segmentBytes: 200 });
    const payloads = Array.from({ length: 10 }, (_, i) => String(i + 1).padStart(40, '.'));
    await appendAll(spool, payloads);
    expect(await segments()).toEqual(['1', '4', '7', '10'].map((s) => `${s.padStart(20, '0')}.seg`));
    expect((await stat(join(dir, (await segments())[0]!))).size).toBe(3 * 56);

    await spool.read({ records: 5, bytes: 1 << 20 });
    await spool.commit(5n);
    expect((await segments()).map((n) => BigInt(n.slice(0, 20)))).toEqual([4n, 7n, 10n]);
    expect(spool.depthBytes).toBe(5 * 56);

    spool = await reopen(spool, { segmentBytes: 200 });
    const rest = await spool.read(ALL);
    expect(rest.map((r) => r.payload.toString())).toEqual(payloads.slice(5));
    await spool.commit(10n);
    expect(await segments()).toEqual([]);
    expect([spool.depthRecords, spool.depthBytes]).toEqual([0, 0]);

    expect(await spool.append(Buffer.from('next'))).toBe(11n);
    expect(await segments()).toEqual([`${'11'.padStart(20, '0')}.seg`]);
    spool = await reopen(spool, { segmentBytes: 200 });
    expect(text(await spool.read(ALL))).toEqual(['11:next']);
  });

  it('refuses an append past maxBytes without writing it, and takes appends again once committed', async () => {
    const record = Buffer.alloc(100, 1);
    const spool = await openSpool({ maxBytes: 5 * (HEADER + 100), segmentBytes: 1000 });
    for (let i = 0; i < 5; i++) await spool.append(record);
    await expect(spool.append(record)).rejects.toThrow(SpoolFullError);
    await expect(spool.appendMany([Buffer.alloc(0)])).rejects.toThrow(SpoolFullError);
    expect([spool.depthRecords, spool.depthBytes]).toEqual([5, 5 * (HEADER + 100)]);
    expect((await stat(join(dir, (await segments())[0]!))).size).toBe(5 * (HEADER + 100));

    await spool.read({ records: 5, bytes: 1 << 20 });
    await spool.commit(5n);
    expect([spool.depthRecords, spool.depthBytes]).toEqual([0, 0]);
    expect(await spool.append(record)).toBe(6n);
  });

  it('cuts off a record torn mid-write, keeping those before it', async () => {
    let spool = await openSpool();
    await appendAll(spool, ['first', 'second', 'third']);
    await spool.close();
    const [segment] = await segments();
    const path = join(dir, segment!);
    const kept = HEADER + 5 + HEADER + 6;
    await truncate(path, kept + HEADER + 2);
    spool = await openSpool();
    expect(text(await spool.read(ALL))).toEqual(['1:first', '2:second']);
    expect((await stat(path)).size).toBe(kept);
    expect(await spool.append(Buffer.from('again'))).toBe(3n);
    spool = await reopen(spool);
    expect(text(await spool.read(ALL))).toEqual(['1:first', '2:second', '3:again']);
  });

  it('cuts off a last record whose checksum does not match', async () => {
    let spool = await openSpool();
    await appendAll(spool, ['first', 'second', 'third']);
    await spool.close();
    const path = join(dir, (await segments())[0]!);
    const data = await readFile(path);
    data[data.length - 2]! ^= 0x20;
    await writeFile(path, data);
    spool = await openSpool();
    expect(text(await spool.read(ALL))).toEqual(['1:first', '2:second']);
    expect(spool.depthRecords).toBe(2);
  });

  it('refuses to open when a segment other than the last is damaged', async () => {
    const spool = await openSpool({ segmentBytes: 30 });
    await appendAll(spool, ['first', 'second', 'third']);
    await spool.close();
    const path = join(dir, (await segments())[1]!);
    const data = await readFile(path);
    data[HEADER]! ^= 1;
    await writeFile(path, data);
    await expect(Spool.open({ dir, maxBytes: 1 << 30 })).rejects.toThrow(/corrupt at byte 0 \(checksum mismatch\)/);
  });

  it('gives concurrent appends increasing seqs, and every one is durable', async () => {
    let spool = await openSpool({ segmentBytes: 4096 });
    const payloads = Array.from({ length: 200 }, (_, i) => Buffer.alloc(100 + i, i));
    const seqs = await Promise.all(payloads.map((p) => spool.append(p)));
    expect(seqs).toEqual(payloads.map((_, i) => BigInt(i + 1)));
    spool = await reopen(spool, { segmentBytes: 4096 });
    const records = await spool.read(ALL);
    expect(records.map((r) => r.seq)).toEqual(seqs);
    expect(records.every((r, i) => r.payload.equals(payloads[i]!))).toBe(true);
  });

  it('waitForData resolves on an append and rejects when aborted', async () => {
    const spool = await openSpool();
    const waiting = spool.waitForData();
    await spool.append(Buffer.from('x'));
    await waiting;
    await spool.read(ALL);
    const controller = new AbortController();
    const aborted = spool.waitForData(controller.signal);
    controller.abort(new Error('stopping'));
    await expect(aborted).rejects.toThrow('stopping');
  });

  it('refuses a directory another live process has open', async () => {
    await writeFile(join(dir, 'LOCK'), `${process.ppid}\n`);
    await expect(Spool.open({ dir, maxBytes: 1 << 30 })).rejects.toThrow(/in use by process/);
  });
});

describe('Spool under SIGKILL', () => {
  const ROUNDS = 6;

  /** The payload the crash child writes for `id` ("<round>-<appender>-<n>"). */
  function checkPayload(payload: Buffer): string {
    const newline = payload.indexOf(10);
    const id = payload.subarray(0, newline).toString();
    const n = Number(id.split('-')[2]);
    const filler = payload.subarray(newline + 1);
    expect(filler.length, id).toBe((n * 7919) % 6000);
    expect(filler.every((b, i) => b === ((i + n) & 0xff)), id).toBe(true);
    return id;
  }

  it('keeps every acknowledged record, exactly once and in order, across kills at random moments', async () => {
    // Plain node cannot import TypeScript: run the child on spool.ts transpiled on its own,
    // independent of the state of the rest of the workspace's build.
    const source = await readFile(fileURLToPath(new URL('../src/sink/spool.ts', import.meta.url)), 'utf8');
    const compiled = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const modulePath = join(dir, 'spool.mjs');
    await writeFile(modulePath, compiled);
    const spoolDir = join(dir, 'spool');
    const child = fileURLToPath(new URL('./fixtures/spool-crash-child.mjs', import.meta.url));

    const acked = new Map<bigint, string>();
    let committed = 0n; // commits the child saw resolve
    let commitStarted = 0n; // commits the child began (one may have persisted before the kill)
    let handedBack = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const proc = spawn(process.execPath, [child, pathToFileURL(modulePath).href, spoolDir, String(round)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
      proc.kill('SIGKILL');
      await once(proc, 'close');

      for (const line of out.split('\n').slice(0, -1)) {
        const [kind, seqText, id] = line.split(' ');
        const seq = BigInt(seqText!);
        if (kind === 'a') {
          expect(acked.has(seq), `seq ${seq} acknowledged twice`).toBe(false);
          acked.set(seq, id!);
        } else if (kind === 'C' && seq > commitStarted) commitStarted = seq;
        else if (kind === 'c' && seq > committed) committed = seq;
      }

      const spool = await Spool.open({ dir: spoolDir, maxBytes: 1 << 30, segmentBytes: 64 * 1024 });
      const records = await spool.read(ALL);
      expect(spool.depthRecords).toBe(records.length);
      await spool.close();

      const first = records[0]?.seq ?? BigInt(Number.MAX_SAFE_INTEGER);
      expect(first).toBeGreaterThan(committed);
      if (records.length > 0) expect(first - 1n).toBeLessThanOrEqual(commitStarted);
      records.forEach((r, i) => expect(r.seq).toBe(first + BigInt(i)));
      const ids = new Map(records.map((r) => [r.seq, checkPayload(r.payload)]));
      for (const [seq, id] of acked) {
        if (seq >= first) expect(ids.get(seq), `acknowledged seq ${seq}`).toBe(id);
        else expect(seq, `acknowledged seq ${seq} is gone`).toBeLessThanOrEqual(commitStarted);
      }
      handedBack += records.length;
    }
    expect(acked.size).toBeGreaterThan(0);
    expect(committed).toBeGreaterThan(0n);
    expect(handedBack).toBeGreaterThan(0);
  });
});
