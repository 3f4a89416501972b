/**
 * A durable, append-only spool: the collector's write-ahead queue on disk.
 *
 * The sink appends each accepted batch and acknowledges the sender once the
 * append is fsynced; a drainer reads spooled records in order, stores them and
 * commits. A crash (SIGKILL at any moment, or power loss) loses no record whose
 * append resolved, never hands out a torn record, and never hands out a
 * committed record again. A record read but not committed before a crash is
 * handed out again after the restart: delivery is at-least-once.
 *
 * On disk, in `dir`:
 * - `<first seq, 20 digits>.seg`: segments of records, in seq order; a new
 *   segment starts once the current one would exceed `segmentBytes`. A record
 *   is a 16-byte header — payload length (u32 BE), CRC32 (u32 BE) of the
 *   length, seq and payload, seq (u64 BE) — followed by the payload.
 * - `position`: the last committed seq (u64 BE + CRC32), replaced atomically
 *   (write `position.tmp`, fsync, rename, fsync the directory).
 * - `LOCK`: the pid of the process that has the spool open.
 *
 * Segments whose records are all committed are deleted. Only the last segment
 * can end in a torn record (an older one was fsynced before the next was
 * created): recovery cuts the last segment at its first invalid record and
 * refuses to open on an invalid record anywhere else, which is corruption,
 * not a crash.
 */
import { mkdir, open, readFile, readdir, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import zlib from 'node:zlib';

export interface SpoolOptions {
  /** The spool's directory, created if missing. One process at a time may open it. */
  dir: string;
  /**
   * The most bytes the segments may take on disk (records with their 16-byte
   * headers, committed records included until their segment is deleted). An
   * append beyond it throws SpoolFullError. Make it several times
   * `segmentBytes`: a segment's space is freed only once all its records are committed.
   */
  maxBytes: number;
  /** A new segment starts when a record would take the current one past this. Default 64 MiB. */
  segmentBytes?: number;
}

export interface SpoolRecord {
  seq: bigint;
  payload: Buffer;
}

/** The spool is at `maxBytes`: nothing was written, the caller should push back on its sender. */
export class SpoolFullError extends Error {
  override readonly name = 'SpoolFullError';
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const HEADER_BYTES = 16;
const MAX_PAYLOAD_BYTES = 0xffff_ffff;
const SEGMENT_SUFFIX = '.seg';
const POSITION_FILE = 'position';
const POSITION_TMP_FILE = 'position.tmp';
const LOCK_FILE = 'LOCK';

/** Directories opened by this process (a LOCK naming our own pid is otherwise a leftover of a previous run in a fresh pid namespace). */
const openDirs = new Set<string>();

interface Segment {
  /** The seq of its first record; also its name. */
  first: bigint;
  path: string;
  /** Bytes written (durable or not yet fsynced). */
  size: number;
}

/** Where the record `seq` starts (or will start): `offset` in `seg`, or the start of the segment named `seq`. */
interface Cursor {
  seq: bigint;
  seg: Segment | null;
  offset: number;
}

/** A record handed out by read() and not yet committed: where it ends, for commit(). */
interface HandedOut {
  seq: bigint;
  seg: Segment;
  end: number;
}

interface PendingAppend {
  seq: bigint;
  header: Buffer;
  payload: Buffer;
  resolve: (seq: bigint) => void;
  reject: (err: unknown) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class Spool {
  private readonly segmentBytes: number;
  /** Live segments in seq order; the last one takes appends. */
  private segments: Segment[] = [];
  /** The write handle of the last segment, if it takes appends. */
  private active: { seg: Segment; fh: FileHandle } | null = null;
  private readHandle: { seg: Segment; fh: FileHandle } | null = null;

  private nextSeq: bigint;
  /** The highest seq whose append is fsynced: read() hands out nothing beyond it. */
  private durableSeq: bigint;
  private committedSeq: bigint;
  /** The highest committed seq known to be in the position file: only segments at or below it are deleted. */
  private persistedSeq: bigint;
  private committedCursor: Cursor;
  private readCursor: Cursor;
  private handedOut: HandedOut[] = [];

  /** Bytes of the segments on disk, plus those of appends accepted and not yet written. */
  private bytesOnDisk: number;
  private pending: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private failure: unknown = null;
  private waiters = new Set<Waiter>();
  private readChain: Promise<unknown> = Promise.resolve();
  private commitChain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    segmentBytes: number,
    recovered: Recovered,
  ) {
    this.segmentBytes = segmentBytes;
    this.segments = recovered.segments;
    this.nextSeq = recovered.nextSeq;
    this.durableSeq = recovered.nextSeq - 1n;
    this.committedSeq = recovered.committedSeq;
    this.persistedSeq = recovered.committedSeq;
    this.committedCursor = recovered.cursor;
    this.readCursor = { ...recovered.cursor };
    this.bytesOnDisk = recovered.segments.reduce((sum, s) => sum + s.size, 0);
  }

  /** Opens (creating if need be) the spool in `options.dir` and recovers it after a crash. */
  static async open(options: SpoolOptions): Promise<Spool> {
    const dir = resolve(options.dir);
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!(options.maxBytes > 0)) throw new RangeError(`Spool maxBytes must be > 0, got ${options.maxBytes}`);
    if (!(segmentBytes > 0)) throw new RangeError(`Spool segmentBytes must be > 0, got ${segmentBytes}`);
    if (openDirs.has(dir)) throw new Error(`The spool in ${dir} is already open in this process`);
    const created = await mkdir(dir, { recursive: true });
    if (created !== undefined) await fsyncDir(dirname(dir));
    await lock(dir);
    openDirs.add(dir);
    try {
      const recovered = await recover(dir);
      const spool = new Spool(dir, options.maxBytes, segmentBytes, recovered);
      const last = recovered.segments.at(-1);
      if (last) spool.active = { seg: last, fh: await open(last.path, 'r+') };
      return spool;
    } catch (err) {
      openDirs.delete(dir);
      await rm(join(dir, LOCK_FILE), { force: true });
      throw err;
    }
  }

  /** Bytes of the records appended and not yet committed (headers included). */
  get depthBytes(): number {
    return this.bytesOnDisk - this.committedBytesOnDisk();
  }

  /** Records appended and not yet committed. */
  get depthRecords(): number {
    return Number(this.nextSeq - 1n - this.committedSeq);
  }

  /**
   * Appends a record and resolves with its seq once it is fsynced. Appends
   * waiting together share one fsync. `payload` must not change until then.
   * Throws SpoolFullError, having written nothing, if it would take the spool past `maxBytes`.
   */
  append(payload: Buffer): Promise<bigint> {
    return this.appendMany([payload]).then((seqs) => seqs[0]!);
  }

  /** Appends records in order, all or none accepted; resolves with their seqs once all are fsynced. */
  appendMany(payloads: readonly Buffer[]): Promise<bigint[]> {
    if (this.closed) return Promise.reject(new Error('The spool is closed'));
    if (this.failure !== null) return Promise.reject(this.failure);
    let bytes = 0;
    for (const p of payloads) {
      if (p.length > MAX_PAYLOAD_BYTES) return Promise.reject(new RangeError(`A spool record holds at most ${MAX_PAYLOAD_BYTES} bytes`));
      bytes += HEADER_BYTES + p.length;
    }
    if (this.bytesOnDisk + bytes > this.maxBytes) {
      return Promise.reject(
        new SpoolFullError(`The spool is full: ${this.bytesOnDisk} bytes on disk + ${bytes} > maxBytes ${this.maxBytes}`),
      );
    }
    this.bytesOnDisk += bytes;
    const acks = payloads.map((payload) => {
      const seq = this.nextSeq++;
      return new Promise<bigint>((resolve, reject) => {
        this.pending.push({ seq, header: encodeHeader(seq, payload), payload, resolve, reject });
      });
    });
    this.flushing ??= this.flush();
    return Promise.all(acks);
  }

  /**
   * The oldest records not yet committed nor handed out, in order: at most
   * `max.records`, and no more than `max.bytes` of payload unless the first alone is larger.
   */
  read(max: { records: number; bytes: number }): Promise<SpoolRecord[]> {
    return this.serialize('readChain', () => this.readRecords(max));
  }

  /** The next read() starts again at the first record not committed (after a failed store). Not while a read() is pending. */
  rewind(): void {
    this.readCursor = { ...this.committedCursor };
    this.handedOut = [];
    this.notify();
  }

  /**
   * Marks the records up to `seq` (handed out by read()) as stored: persists
   * the position, then deletes the segments holding only committed records.
   */
  commit(seq: bigint): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The spool is closed'));
    if (seq <= this.committedSeq) return Promise.resolve();
    const first = this.handedOut[0];
    const index = first ? Number(seq - first.seq) : -1;
    const done = this.handedOut[index];
    if (done?.seq !== seq) return Promise.reject(new RangeError(`Spool commit(${seq}) is beyond the last record read`));
    this.handedOut.splice(0, index + 1);
    this.committedSeq = seq;
    this.committedCursor = { seq: seq + 1n, seg: done.seg, offset: done.end };
    return this.serialize('commitChain', async () => {
      if (seq <= this.persistedSeq) return;
      await writePosition(this.dir, seq);
      this.persistedSeq = seq;
      await this.deleteCommittedSegments();
    });
  }

  /** Resolves when a record is ready for read(); rejects when `signal` aborts or the spool closes. */
  waitForData(signal?: AbortSignal): Promise<void> {
    if (this.hasUnread()) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('The spool is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Waits for pending appends, reads and commits, then releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new Error('The spool is closed');
    for (const w of this.waiters) w.reject(closedError);
    this.waiters.clear();
    await this.flushing;
    await this.readChain.catch(() => undefined);
    await this.commitChain.catch(() => undefined);
    await this.active?.fh.close();
    await this.readHandle?.fh.close();
    this.active = null;
    this.readHandle = null;
    await rm(join(this.dir, LOCK_FILE), { force: true });
    openDirs.delete(this.dir);
  }

  // Appending: one group of waiting appends at a time, written together and fsynced once.

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending.splice(0);
      try {
        if (this.failure !== null) throw this.failure;
        await this.writeGroup(group);
      } catch (err) {
        // The segment's tail is now unknown: refuse further appends; reopening recovers.
        this.failure ??= err;
        for (const p of group) p.reject(err);
        continue;
      }
      this.durableSeq = group.at(-1)!.seq;
      for (const p of group) p.resolve(p.seq);
      this.notify();
    }
    this.flushing = null;
  }

  private async writeGroup(group: PendingAppend[]): Promise<void> {
    let buffers: Buffer[] = [];
    let bytes = 0;
    for (const p of group) {
      const recordBytes = HEADER_BYTES + p.payload.length;
      const active = this.active;
      const size = active ? active.seg.size + bytes : 0;
      if (!active || (size > 0 && size + recordBytes > this.segmentBytes)) {
        if (active && bytes > 0) {
          await writeFully(active.fh, buffers, active.seg.size);
          active.seg.size += bytes;
          buffers = [];
          bytes = 0;
        }
        await this.rotate(p.seq);
      }
      buffers.push(p.header, p.payload);
      bytes += recordBytes;
    }
    const active = this.active!;
    await writeFully(active.fh, buffers, active.seg.size);
    active.seg.size += bytes;
    await active.fh.datasync();
  }

  /** Seals the current segment (fsynced, so only the last segment can be torn) and starts one named `first`. */
  private async rotate(first: bigint): Promise<void> {
    const old = this.active;
    if (old) {
      this.active = null;
      await old.fh.datasync();
      await old.fh.close();
      // Sealed with every record committed: nothing will commit it again, so delete it here.
      if (first - 1n <= this.persistedSeq) await this.deleteSegment(old.seg);
    }
    const seg: Segment = { first, path: join(this.dir, segmentName(first)), size: 0 };
    const fh = await open(seg.path, 'wx');
    this.segments.push(seg);
    this.active = { seg, fh };
    await fsyncDir(this.dir);
  }

  // Reading.

  private hasUnread(): boolean {
    return this.readCursor.seq <= this.durableSeq;
  }

  private async readRecords(max: { records: number; bytes: number }): Promise<SpoolRecord[]> {
    const out: SpoolRecord[] = [];
    let bytes = 0;
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    while (out.length < max.records && this.hasUnread()) {
      const cursor = this.readCursor;
      const seg = this.segmentOf(cursor.seq);
      const offset = seg === cursor.seg ? cursor.offset : 0;
      const fh = await this.readHandleFor(seg);
      await readFully(fh, header, offset);
      const length = header.readUInt32BE(0);
      if (out.length > 0 && bytes + length > max.bytes) break;
      const payload = Buffer.allocUnsafe(length);
      await readFully(fh, payload, offset + HEADER_BYTES);
      const problem = recordProblem(header, payload, cursor.seq);
      if (problem) throw new Error(`Spool segment ${seg.path} is corrupt at byte ${offset}: ${problem}`);
      const end = offset + HEADER_BYTES + length;
      out.push({ seq: cursor.seq, payload });
      this.handedOut.push({ seq: cursor.seq, seg, end });
      this.readCursor = { seq: cursor.seq + 1n, seg, offset: end };
      bytes += length;
    }
    return out;
  }

  /** The live segment holding `seq` (one that is durable, hence not deleted). */
  private segmentOf(seq: bigint): Segment {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i]!;
      if (seg.first <= seq) return seg;
    }
    throw new Error(`No spool segment holds seq ${seq}`);
  }

  private async readHandleFor(seg: Segment): Promise<FileHandle> {
    if (this.readHandle?.seg === seg) return this.readHandle.fh;
    await this.readHandle?.fh.close();
    this.readHandle = null;
    const fh = await open(seg.path, 'r');
    this.readHandle = { seg, fh };
    return fh;
  }

  private notify(): void {
    if (!this.hasUnread()) return;
    for (const w of this.waiters) w.resolve();
    this.waiters.clear();
  }

  // Committing.

  /** Bytes on disk taken by committed records: segments before the committed position, and its offset. */
  private committedBytesOnDisk(): number {
    const { seq, seg: at, offset } = this.committedCursor;
    let bytes = 0;
    for (const seg of this.segments) {
      if (seg === at) return bytes + offset;
      if (seg.first >= seq) break;
      bytes += seg.size;
    }
    return bytes;
  }

  private async deleteCommittedSegments(): Promise<void> {
    const doomed: Segment[] = [];
    let drainedActive: FileHandle | null = null;
    for (const [i, seg] of this.segments.entries()) {
      const next = this.segments[i + 1];
      if (next) {
        if (next.first - 1n <= this.persistedSeq) doomed.push(seg);
      } else if (seg.size > 0 && this.nextSeq - 1n <= this.persistedSeq && !this.flushing && this.active?.seg === seg) {
        // The last segment, drained while no append is under way: the next append starts a new one.
        drainedActive = this.active.fh;
        this.active = null;
        doomed.push(seg);
      }
    }
    if (doomed.length === 0) return;
    await drainedActive?.close();
    for (const seg of doomed) await this.deleteSegment(seg);
    await fsyncDir(this.dir);
  }

  /** Drops a segment from the list and its file from disk (the caller fsyncs the directory). */
  private async deleteSegment(seg: Segment): Promise<void> {
    const i = this.segments.indexOf(seg);
    if (i < 0) return;
    this.segments.splice(i, 1);
    this.bytesOnDisk -= seg.size;
    await unlink(seg.path);
  }

  private serialize<T>(chain: 'readChain' | 'commitChain', fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The spool is closed'));
    const result = this[chain].then(fn, fn);
    this[chain] = result.catch(() => undefined);
    return result;
  }
}

// Recovery.

interface Recovered {
  segments: Segment[];
  nextSeq: bigint;
  committedSeq: bigint;
  cursor: Cursor;
}

async function recover(dir: string): Promise<Recovered> {
  await rm(join(dir, POSITION_TMP_FILE), { force: true });
  const names = (await readdir(dir)).filter((n) => /^\d{20}\.seg$/.test(n)).sort();
  const found = names.map((n): Segment => ({ first: BigInt(n.slice(0, 20)), path: join(dir, n), size: 0 }));
  const persisted = await readPosition(dir);
  let committedSeq = persisted ?? 0n;

  const segments: Segment[] = [];
  const doomed: Segment[] = [];
  let nextSeq = committedSeq + 1n;
  let cursor: Cursor | null = null;
  for (let i = 0; i < found.length; i++) {
    const seg = found[i]!;
    const next = found[i + 1];
    if (next && next.first - 1n <= committedSeq) {
      doomed.push(seg); // committed throughout; its deletion did not happen before the crash
      continue;
    }
    const data = await readFile(seg.path);
    const scan = scanSegment(data, seg.first, committedSeq + 1n);
    if (next) {
      const problem = scan.problem ?? (scan.nextSeq === next.first ? null : `it ends at seq ${scan.nextSeq - 1n}, the next segment starts at ${next.first}`);
      if (problem) {
        throw new Error(
          `Spool segment ${seg.path} is corrupt at byte ${scan.validBytes} (${problem}); only the last segment can be torn by a crash, ` +
            `so this is damage to the disk or directory: move ${dir} aside to start with an empty spool`,
        );
      }
    } else if (scan.validBytes < data.length) {
      // A torn tail: appends that were never acknowledged.
      const fh = await open(seg.path, 'r+');
      await fh.truncate(scan.validBytes);
      await fh.datasync();
      await fh.close();
    } else {
      // Written before the crash but perhaps not fsynced: make it durable before handing it out.
      const fh = await open(seg.path, 'r+');
      await fh.datasync();
      await fh.close();
    }
    seg.size = scan.validBytes;
    nextSeq = scan.nextSeq;
    if (scan.nextSeq - 1n <= committedSeq) {
      doomed.push(seg);
      continue;
    }
    if (cursor === null) {
      if (committedSeq + 1n < seg.first) {
        // Without a position file, the first record on disk is the first one uncommitted.
        if (persisted !== null) throw new Error(`Spool in ${dir}: records ${committedSeq + 1n}..${seg.first - 1n} are missing`);
        committedSeq = seg.first - 1n;
      }
      cursor = { seq: committedSeq + 1n, seg, offset: scan.firstUncommittedOffset ?? 0 };
    }
    segments.push(seg);
  }
  if (nextSeq <= committedSeq) nextSeq = committedSeq + 1n;

  for (const seg of doomed) await unlink(seg.path);
  if (doomed.length > 0) await fsyncDir(dir);
  return { segments, nextSeq, committedSeq, cursor: cursor ?? { seq: nextSeq, seg: null, offset: 0 } };
}

interface Scan {
  /** Bytes up to the end of the last valid record. */
  validBytes: number;
  /** The seq after the last valid record. */
  nextSeq: bigint;
  /** Where the record `wanted` starts, if the segment holds it. */
  firstUncommittedOffset: number | null;
  problem: string | null;
}

function scanSegment(data: Buffer, first: bigint, wanted: bigint): Scan {
  let offset = 0;
  let seq = first;
  let firstUncommittedOffset: number | null = null;
  let problem: string | null = null;
  while (offset < data.length) {
    if (data.length - offset < HEADER_BYTES) {
      problem = 'a partial record header';
      break;
    }
    const header = data.subarray(offset, offset + HEADER_BYTES);
    const length = header.readUInt32BE(0);
    if (data.length - offset - HEADER_BYTES < length) {
      problem = 'a partial record';
      break;
    }
    problem = recordProblem(header, data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length), seq);
    if (problem) break;
    if (seq === wanted) firstUncommittedOffset = offset;
    offset += HEADER_BYTES + length;
    seq++;
  }
  return { validBytes: offset, nextSeq: seq, firstUncommittedOffset, problem };
}

// Records.

const crc32: (data: Uint8Array, value?: number) => number = typeof zlib.crc32 === 'function' ? zlib.crc32 : tableCrc32;

function recordCrc(header: Buffer, payload: Uint8Array): number {
  return crc32(payload, crc32(header.subarray(8, 16), crc32(header.subarray(0, 4))));
}

function encodeHeader(seq: bigint, payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeBigUInt64BE(seq, 8);
  header.writeUInt32BE(recordCrc(header, payload), 4);
  return header;
}

function recordProblem(header: Buffer, payload: Uint8Array, seq: bigint): string | null {
  if (header.readUInt32BE(4) !== recordCrc(header, payload)) return 'checksum mismatch';
  const actual = header.readBigUInt64BE(8);
  if (actual !== seq) return `seq ${actual} where ${seq} was expected`;
  return null;
}

function segmentName(first: bigint): string {
  return first.toString().padStart(20, '0') + SEGMENT_SUFFIX;
}

/** zlib.crc32 appeared in Node 20.15; the same CRC-32 (IEEE) for older releases. */
let crcTable: Uint32Array | null = null;
function tableCrc32(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

// The position file.

async function readPosition(dir: string): Promise<bigint | null> {
  let data: Buffer;
  try {
    data = await readFile(join(dir, POSITION_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (data.length !== 12 || data.readUInt32BE(8) !== crc32(data.subarray(0, 8))) {
    throw new Error(`Spool position file ${join(dir, POSITION_FILE)} is corrupt: move ${dir} aside to start with an empty spool`);
  }
  return data.readBigUInt64BE(0);
}

async function writePosition(dir: string, seq: bigint): Promise<void> {
  const data = Buffer.allocUnsafe(12);
  data.writeBigUInt64BE(seq, 0);
  data.writeUInt32BE(crc32(data.subarray(0, 8)), 8);
  const tmp = join(dir, POSITION_TMP_FILE);
  const fh = await open(tmp, 'w');
  try {
    await writeFully(fh, [data], 0);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, POSITION_FILE));
  await fsyncDir(dir);
}

// Files.

async function lock(dir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  let holder = '';
  try {
    holder = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const pid = Number(holder);
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
    throw new Error(`The spool in ${dir} is in use by process ${pid} (${path}); each collector needs a spool directory of its own`);
  }
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(`${process.pid}\n`);
  } finally {
    await fh.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeFully(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    let { bytesWritten } = await fh.writev(rest, at);
    at += bytesWritten;
    const left: Buffer[] = [];
    for (const b of rest) {
      if (bytesWritten >= b.length) bytesWritten -= b.length;
      else {
        left.push(bytesWritten > 0 ? b.subarray(bytesWritten) : b);
        bytesWritten = 0;
      }
    }
    rest = left;
  }
}

async function readFully(fh: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await fh.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new Error(`Spool segment ends before byte ${position + buffer.length}`);
    done += bytesRead;
  }
}
