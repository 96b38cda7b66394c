import type { Benchmark } from './lib/report.ts';
export const encoding: Benchmark = {
  name: 'encoding',
  title: 'encoding',
  run: async () => {
    throw new Error('todo');
  },
};
