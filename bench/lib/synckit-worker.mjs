// synckit's side of bench/scenarios/roundtrip.mjs: echo the argument.
import { runAsWorker } from 'synckit';

runAsWorker(async (x) => x);
