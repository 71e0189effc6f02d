/**
 * The three kinds of queue: the value of the header's KIND word (see
 * src/layout.ts), and the class that makes and attaches each. Which record a
 * get takes follows from it (src/records.ts).
 */
export const KIND_FIFO = 1;
export const KIND_LIFO = 2;
export const KIND_PRIORITY = 3;
export type Kind = typeof KIND_FIFO | typeof KIND_LIFO | typeof KIND_PRIORITY;

export const KIND_NAMES: Record<Kind, string> = {
  [KIND_FIFO]: 'Queue',
  [KIND_LIFO]: 'LifoQueue',
  [KIND_PRIORITY]: 'PriorityQueue',
};
