/**
 * Thrown (or rejected) when Redis did not answer a call in time: the
 * connection is down, or the server too slow. The call's outcome is unknown:
 * a put may have been applied (the library's own retries never apply it
 * twice; calling `put` again may),
 * and items a get took come back to the queue when their lease expires.
 */
export class RedisTimeout extends Error {
  constructor(ms: number) {
    super(`janus-queue: Redis did not answer within ${ms} ms; the call may or may not have taken effect`);
    this.name = 'RedisTimeout';
  }
}
