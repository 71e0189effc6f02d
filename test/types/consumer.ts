// Type tests: compiled with tsc --noEmit against the built package (through
// its own exports map). A line marked @ts-expect-error must be an error.
import {
  type AsyncQueue,
  type Codec,
  LifoQueue,
  LockTimeout,
  PriorityQueue,
  Queue,
  QueueCorrupted,
  QueueEmpty,
  QueueFull,
  type QueueHandle,
  type QueueOptions,
  QueueShutDown,
  type SyncQueue,
} from 'janus-queue';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const check = <T extends true>(_?: T): void => {};

interface Job {
  id: number;
}

const q = new Queue<Job>({ maxsize: 10, maxBytes: 4096 });
const handle: QueueHandle = q.handle;
const attached = Queue.attach<Job>(handle);
check<Equal<typeof attached, Queue<Job>>>();
check<Equal<ReturnType<typeof q.syncQ.get>, Job>>();
check<Equal<ReturnType<typeof q.asyncQ.get>, Promise<Job>>>();
check<Equal<ReturnType<typeof q.asyncQ.join>, Promise<boolean>>>();
check<Equal<ReturnType<typeof q.syncQ.join>, boolean>>();
const s: SyncQueue<Job> = q.syncQ;
const a: AsyncQueue<Job> = q.asyncQ;
s.put({ id: 1 }, { block: false, timeout: 5 });
void a.put({ id: 2 }, { timeout: 5, signal: AbortSignal.timeout(10) });
// @ts-expect-error: items are Jobs
s.put('not a job');
// Batches: putMany takes any iterable of items, getMany gives an array.
s.putMany([{ id: 3 }], { block: false });
void a.putMany(new Set([{ id: 4 }]), { signal: AbortSignal.timeout(10) });
check<Equal<ReturnType<typeof q.syncQ.getMany>, Job[]>>();
check<Equal<ReturnType<typeof q.asyncQ.getMany>, Promise<Job[]>>>();
check<Equal<ReturnType<typeof q.asyncQ.putMany>, Promise<void>>>();
// @ts-expect-error: a batch of Jobs
s.putMany(['not a job']);
// @ts-expect-error: getMany needs its max
void a.getMany();
// @ts-expect-error: no such option
new Queue<Job>({ maxSize: 3 });

const lifo = LifoQueue.attach<string>(new LifoQueue<string>().handle);
check<Equal<typeof lifo, LifoQueue<string>>>();
check<Equal<ReturnType<typeof lifo.syncQ.getNowait>, string>>();

const pq = new PriorityQueue<Job>({ codec: 'structured' });
pq.syncQ.put([1, { id: 3 }]);
// @ts-expect-error: priority items are [number, value] pairs
pq.syncQ.put({ id: 3 });
const pa = PriorityQueue.attach<Job>(pq.handle);
check<Equal<ReturnType<typeof pa.syncQ.get>, [priority: number, value: Job]>>();
const isQueue: Queue<[number, Job]> = pa;
void isQueue;
check<Equal<typeof pa, PriorityQueue<Job>>>();
// A PriorityQueue is a class: `new`, `attach<T>` gives PriorityQueue<T>, `instanceof` narrows.
const pq2 = new PriorityQueue<string>();
pq2.syncQ.put([1, 'a']);
void pq2.asyncQ.put([2, 'b'], { timeout: 5 });
const [p, v] = pq2.syncQ.get();
check<Equal<typeof p, number>>();
check<Equal<typeof v, string>>();
check<Equal<ReturnType<typeof pq2.syncQ.getNowait>, [priority: number, value: string]>>();
check<Equal<ReturnType<typeof pq2.asyncQ.get>, Promise<[priority: number, value: string]>>>();
check<Equal<ReturnType<typeof PriorityQueue.attach<string>>, PriorityQueue<string>>>();
check<Equal<InstanceType<typeof PriorityQueue<string>>, PriorityQueue<string>>>();
const pqAttached = PriorityQueue.attach<string>(pq2.handle);
check<Equal<typeof pqAttached, PriorityQueue<string>>>();
const untypedPq: unknown = pq2;
if (untypedPq instanceof PriorityQueue) check<Equal<typeof untypedPq, PriorityQueue<any>>>();
const anyQueue: Queue<[priority: number, value: string]> = pq2;
void anyQueue;
// The custom codec of a PriorityQueue encodes the values, not the pairs.
const strings: Codec<string> = { encode: (s) => new TextEncoder().encode(s), decode: (b) => new TextDecoder().decode(b) };
void new PriorityQueue<string>({ codec: strings });
void PriorityQueue.attach<string>(pq2.handle, { codec: strings });
// @ts-expect-error: the item is the pair, not the value
pq2.syncQ.put('a');
// @ts-expect-error: the value is a string
pq2.syncQ.put([1, 2]);
// @ts-expect-error: the priority comes first, and is a number
pq2.syncQ.put(['a', 1]);
// @ts-expect-error: get returns the pair, not the value
const notValue: string = pq2.syncQ.get();
void notValue;
// @ts-expect-error: a PriorityQueue<string> is not a Queue<string>
const notPlain: Queue<string> = pq2;
void notPlain;

const bytes: Codec<Uint8Array> = { encode: (b) => b, decode: (b) => b };
const custom = new Queue<Uint8Array>({ codec: bytes });
Queue.attach<Uint8Array>(custom.handle, { codec: bytes });
const opts: QueueOptions<string> = { codec: 'string' };
void new Queue<string>(opts);

for (const job of q.syncQ) check<Equal<typeof job, Job>>();
async function drain(): Promise<void> {
  for await (const job of q.asyncQ) check<Equal<typeof job, Job>>();
  await q.aclose();
  await q.waitClosed();
  q.close();
}
void drain;

const errors: Error[] = [new QueueEmpty(), new QueueFull(), new QueueShutDown()];
void errors;
const corrupted: TypeError = new QueueCorrupted();
const lockTimeout: Error = new LockTimeout();
check<Equal<typeof lockTimeout.name, string>>();
void corrupted;

// Disposal: typed even on a lib without ESNext.Disposable (this project's lib is ES2024 + DOM).
q[Symbol.dispose]();
check<Equal<ReturnType<(typeof q)[typeof Symbol.dispose]>, void>>();
check<Equal<ReturnType<(typeof lifo)[typeof Symbol.asyncDispose]>, Promise<void>>>();
check<Equal<ReturnType<(typeof pa)[typeof Symbol.asyncDispose]>, Promise<void>>>();

// Web Streams of the async face.
check<Equal<ReturnType<typeof q.asyncQ.readable>, ReadableStream<Job>>>();
check<Equal<ReturnType<typeof pq.asyncQ.writable>, WritableStream<[priority: number, value: Job]>>>();
// @ts-expect-error: not an option of readable()
q.asyncQ.readable({ shutdownOnClose: true });

// janus-queue/sync-fn: the blocking function has the async function's parameters and its awaited result.
import { CallTimeout, ServerGone, type SyncFn, type SyncFnHandle, connectSyncFn, createSyncFn, createSyncFnHandle, runAsWorker, serveAsync } from 'janus-queue/sync-fn';

declare function format(code: string, options: { width: number }): Promise<string>;
const formatSync = createSyncFn<typeof format>(new URL('file:///w.mjs'), { timeout: 1000 });
check<Equal<typeof formatSync, SyncFn<typeof format>>>();
check<Equal<ReturnType<typeof formatSync>, string>>();
const formatted: string = formatSync('x', { width: 80 });
const once: string = formatSync.callWith({ timeout: 5 }, 'x', { width: 1 });
// @ts-expect-error the arguments are checked
formatSync(1, { width: 80 });
const fnHandle: SyncFnHandle = createSyncFnHandle({ maxBytes: 1 << 16 });
const server = serveAsync(fnHandle, async (n: number) => n * 2, { blockMs: 0 });
const closing: Promise<void> = server.close();
const double = connectSyncFn<(n: number) => Promise<number>>(fnHandle);
const doubled: number = double(2);
runAsWorker(async (a: number, b: number) => a + b);
// without a type argument the function returns any, as synckit's does
const untyped: string = createSyncFn(new URL('file:///w.mjs'))('x');
const fnErrors: Error[] = [new CallTimeout(), new ServerGone('gone', 1)];
void formatted, once, closing, doubled, fnErrors, untyped;
