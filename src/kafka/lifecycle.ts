import { logger } from '../observability/logger.ts';
import { closeAllProducers } from './producer.ts';

export interface ShutdownHookOptions {
  /** Longest wait for producers to disconnect; Lambda allows an extension-less runtime about 500 ms. */
  graceMs?: number;
  /** Called after the producers are closed when no other SIGTERM handler is registered. */
  exit?: (code: number) => void;
}

let installed: (() => void) | undefined;

/**
 * Disconnects every producer on SIGTERM, so the broker sees a clean close instead of a dropped socket.
 * If this is the only SIGTERM handler the process then exits, as it would have without one; if others
 * are registered, they decide. Installing twice keeps the first hook. Returns a function that removes it.
 */
export function installShutdownHook(options: ShutdownHookOptions = {}): () => void {
  if (installed !== undefined) return installed;
  const graceMs = options.graceMs ?? 400;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const onSigterm = async (): Promise<void> => {
    const othersWillHandle = process.listenerCount('SIGTERM') > 1;
    logger.info('SIGTERM: disconnecting Kafka producers', { graceMs });
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    });
    const timedOut = await Promise.race([closeAllProducers().then(() => false), gaveUp]);
    clearTimeout(timer);
    if (timedOut) logger.warn('Kafka producers did not disconnect within the grace period', { graceMs });
    if (!othersWillHandle) exit(0);
  };
  process.on('SIGTERM', onSigterm);
  installed = () => {
    process.off('SIGTERM', onSigterm);
    installed = undefined;
  };
  return installed;
}
