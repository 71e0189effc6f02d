// The consumer program. It knows only the asyncQ interface, so it runs
// unchanged over the in-memory queue (in-memory.mjs: threads of one
// process) and over Redis (run.mjs: other processes, other machines).
// `await` on taskDone() works on both (Redis returns a promise).
export async function consume(asyncQ) {
  const results = [];
  for await (const job of asyncQ) {
    results.push(`${job.n} squared is ${job.n * job.n}`);
    await asyncQ.taskDone();
  }
  return results;
}

/** The producer's side, also written once: put the jobs, wait until all are done, shut down. */
export async function produce(asyncQ, count) {
  for (let n = 1; n <= count; n++) await asyncQ.put({ n });
  await asyncQ.join();
  await asyncQ.shutdown();
}

/** What both programs print: the results in job order, whoever did them. */
export function report(results, consumers) {
  const lines = results.flat().sort((a, b) => parseInt(a) - parseInt(b));
  return [`${lines.length} jobs done by ${consumers} consumers`, ...lines].join('\n');
}
