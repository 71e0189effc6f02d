// synckit's side of bench/roundtrip.mjs: echo the argument.
import { runAsWorker } from 'synckit';

runAsWorker(async (x) => x);
