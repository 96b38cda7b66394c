import type { DetachedProcess } from '../processes.ts';

/** One real server of the local stack: how to install it into the cache, launch it and check its health. */
export interface StackService {
  readonly name: string;
  readonly description: string;
  /** What clients connect to, e.g. `127.0.0.1:9092` or an http URL. */
  endpoints(): Record<string, string>;
  /** Every port the server listens on; all must be free before launch. */
  ports(): number[];
  /** Download or build into the cache folder; a no-op when the cache is already filled. */
  install(log: (line: string) => void): Promise<void>;
  /** Write run-time config and say how to start the process. */
  prepareLaunch(): Promise<Omit<DetachedProcess, 'logFile' | 'pidFile'>>;
  healthy(): Promise<boolean>;
  readonly startTimeoutMs: number;
}
