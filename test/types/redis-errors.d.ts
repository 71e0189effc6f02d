// ioredis 6.1.0's declarations import 'redis-errors', which ships none: a
// consumer compiling with skipLibCheck: false needs this line (or
// skipLibCheck: true). Not part of janus-queue's own types.
declare module 'redis-errors';
