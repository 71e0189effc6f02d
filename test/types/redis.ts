// Type tests of the `janus-queue/redis` entry: compiled with tsc --noEmit
// against the built package (through its exports map). A line marked with
// the expect-error directive must be an error.
import type { AsyncQueue } from 'janus-queue';
import {
  RedisAsyncQueue,
  type RedisConnection,
  RedisLifoQueue,
  RedisPriorityQueue,
  RedisQueue,
  type RedisQueueOptions,
  RedisSyncQueue,
  RedisTimeout,
  type Snapshot,
} from 'janus-queue/redis';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const check = <T extends true>(_?: T): void => {};

interface Job {
  id: number;
}

const options: RedisQueueOptions<Job> = { name: 'jobs', connection: 'redis://127.0.0.1:6379', maxsize: 10, leaseMs: 1000, commandTimeout: 500, prefix: 'p' };
const q = new RedisQueue<Job>(options);
check<Equal<typeof q.asyncQ, RedisAsyncQueue<Job>>>();
check<Equal<typeof q.syncQ, RedisSyncQueue<Job>>>();
check<Equal<typeof q.name, string>>();
check<Equal<ReturnType<typeof q.asyncQ.get>, Promise<Job>>>();
check<Equal<ReturnType<typeof q.asyncQ.getMany>, Promise<Job[]>>>();
check<Equal<ReturnType<typeof q.asyncQ.taskDone>, Promise<void>>>();
check<Equal<ReturnType<typeof q.asyncQ.join>, Promise<boolean>>>();
check<Equal<ReturnType<typeof q.asyncQ.stats>, Promise<Snapshot>>>();
check<Equal<ReturnType<typeof q.asyncQ.readable>, ReadableStream<Job>>>();
check<Equal<ReturnType<typeof q.asyncQ.writable>, WritableStream<Job>>>();
check<Equal<ReturnType<typeof q.syncQ.get>, Job>>();
check<Equal<ReturnType<typeof q.syncQ.getMany>, Job[]>>();
check<Equal<ReturnType<typeof q.syncQ.taskDone>, void>>();
check<Equal<ReturnType<typeof q.disconnect>, Promise<void>>>();
check<Equal<ReturnType<typeof q.destroy>, Promise<void>>>();
check<Equal<Snapshot, { qsize: number; unfinished: number; closed: boolean }>>();

// The same consumer code over both asyncQ faces: what it awaits is on both.
async function consume(face: Pick<AsyncQueue<Job>, 'get' | 'put' | 'join'> | Pick<RedisAsyncQueue<Job>, 'get' | 'put' | 'join'>): Promise<number> {
  const job = await face.get({ timeout: 100 });
  await face.put({ id: job.id + 1 }, { signal: AbortSignal.timeout(100) });
  return (await face.join({ timeout: 100 })) ? job.id : -1;
}
void consume(q.asyncQ);
for await (const job of q.asyncQ) check<Equal<typeof job, Job>>();
for (const job of q.syncQ) check<Equal<typeof job, Job>>();
void q.asyncQ.readable({ highWaterMark: 2, shutdownOnCancel: true }).pipeTo(q.asyncQ.writable({ shutdownOnClose: false, shutdownOnAbort: true }));

const lifo = new RedisLifoQueue<string>({ name: 'l', codec: 'string' });
check<Equal<ReturnType<typeof lifo.syncQ.get>, string>>();
const prio = new RedisPriorityQueue<Job>({ name: 'p', codec: { encode: (j) => new Uint8Array([j.id]), decode: (b) => ({ id: b[0]! }) } });
check<Equal<ReturnType<typeof prio.asyncQ.get>, Promise<[priority: number, value: Job]>>>();
void prio.asyncQ.put([1, { id: 1 }]);

const connection: RedisConnection = { host: '127.0.0.1', port: 6379, db: 1 };
void new RedisQueue({ name: 'c', connection });
const e: Error = new RedisTimeout(5);
void e;

// @ts-expect-error: items are Jobs
void q.asyncQ.put('not a job');
// @ts-expect-error: a priority queue's items are [priority, value]
void prio.asyncQ.put({ id: 1 });
// @ts-expect-error: the name is required
void new RedisQueue<Job>({ maxsize: 1 });
// @ts-expect-error: no such option
void new RedisQueue<Job>({ name: 'x', maxSize: 1 });
// @ts-expect-error: getMany needs its max
void q.syncQ.getMany();
// @ts-expect-error: no such stream option
void q.asyncQ.readable({ shutdownOnClose: true });
