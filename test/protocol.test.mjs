// The slot protocol of docs/design.md, checked exhaustively for small thread
// counts by test/model/slot-protocol.mjs: every interleaving of two or three
// threads' atomic steps (lock, critical section, release, futex
// check-and-sleep, notify, timeout, abort) ends with no lost wake-up, no
// item lost or taken twice, and no thread waiting on a lock for ever. The
// explorer is shown to find the bugs the protocol's rules guard against,
// with each rule switched off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asyncGetter, explore, getter, largePutter, putter } from './model/slot-protocol.mjs';

const CONFIGS = [
  ['a putter of 1, two sync getters', [putter(1), getter(), getter()]],
  ['a putter of 2, two sync getters', [putter(2), getter(), getter()]],
  ['a putter of 2, a timed sync getter, a sync getter', [putter(2), getter(1), getter()]],
  ['two putters of 1, a sync getter', [putter(1), putter(1), getter()]],
  ['a putter of 1, an aborted async getter, a sync getter', [putter(1), asyncGetter(), getter()]],
  ['a putter of 2, an aborted async getter, a sync getter', [putter(2), asyncGetter(), getter()]],
  ['a putter of 1, an aborted async getter, a timed sync getter', [putter(1), asyncGetter(), getter(1)]],
  ['a putter of 2, two aborted async getters', [putter(2), asyncGetter(), asyncGetter()]],
  ['a large putter of 2 (deferred publish), a sync getter', [largePutter(2), getter()]],
  ['a large putter of 2, two sync getters', [largePutter(2), getter(), getter()]],
  ['a large putter of 2, a timed sync getter, a sync getter', [largePutter(2), getter(1), getter()]],
  ['a large putter of 1, an aborted async getter, a sync getter', [largePutter(1), asyncGetter(), getter()]],
  ['a large putter of 2, a putter of 1, a sync getter', [largePutter(2), putter(1), getter()]],
];

describe('the slot protocol, every interleaving of 2-3 threads', () => {
  for (const [name, threads] of CONFIGS) {
    it(`${name}: no lost wake-up, nothing lost or twice, no stuck lock`, () => {
      const r = explore(threads);
      assert.deepEqual(r.violations.map((v) => `${v.what}: ${v.trace.join(' > ')}`), []);
      assert.ok(r.states > 100, `explored ${r.states} states`);
    });
  }

  for (const [bug, rule] of [
    ['noRecheck', 'a getter that registers publishes a large put filled meanwhile'],
    ['alwaysDefer', 'a large putter that finds a getter listed publishes at once'],
    ['checkFirst', 'a getter looks at FILLED after it is listed, not before'],
  ]) {
    it(`finds the lost wake-up when the rule "${rule}" is switched off`, () => {
      const r = explore([largePutter(1), getter()], { bugs: { [bug]: true } });
      assert.equal(r.violations.length > 0, true);
      assert.match(r.violations[0].what, /lost wake-up/);
    });
  }

  for (const [bug, rule] of [
    ['noPassOnWithdraw', 'a withdrawn pump passes on a signal it already holds'],
    ['sleepWithoutCheck', 'a waiter sleeps only while its slot is still WAITING (the futex check)'],
  ]) {
    it(`finds the lost wake-up when the rule "${rule}" is switched off`, () => {
      const r = explore([putter(1), asyncGetter(), getter()], { bugs: { [bug]: true } });
      assert.equal(r.violations.length > 0, true);
      assert.match(r.violations[0].what, /lost wake-up/);
    });
  }
});
