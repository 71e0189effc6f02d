// The three kinds of queue, and how each orders items: one behaviour suite
// runs against all of them (and against both faces).
import { LifoQueue, PriorityQueue, Queue } from 'janus-queue';

export const KINDS = [
  {
    name: 'Queue',
    Class: Queue,
    /** The i-th item to put. */
    item: (i) => ({ id: i }),
    /** The order items 0..n-1, put in that order, come out in. */
    order: (n) => [...Array(n).keys()],
    id: (item) => item.id,
  },
  {
    name: 'LifoQueue',
    Class: LifoQueue,
    item: (i) => ({ id: i }),
    order: (n) => [...Array(n).keys()].reverse(),
    id: (item) => item.id,
  },
  {
    name: 'PriorityQueue',
    Class: PriorityQueue,
    // Priorities 2,1,0,2,1,0,…: lowest first, FIFO among equals.
    item: (i) => [2 - (i % 3), { id: i }],
    order: (n) =>
      [...Array(n).keys()].sort((a, b) => (2 - (a % 3)) - (2 - (b % 3)) || a - b),
    id: (item) => item[1].id,
  },
];
