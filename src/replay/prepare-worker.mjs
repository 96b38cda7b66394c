// The entry of a replay worker thread (see preparers.ts). Plain JavaScript because a worker's entry
// is loaded before any TypeScript loader could run in it: this registers tsx in the worker, as
// bin/ses-kafka.js does for the main thread, then loads the worker's TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker.ts');
