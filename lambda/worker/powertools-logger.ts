import { type Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { JobLogger } from '../jobs/define.js';

/**
 * A {@link JobLogger} on Powertools' Logger. It skips lines below the logger's
 * level before calling it: Powertools reads the X-Ray trace id from the
 * environment on every call, even for a line it then drops, and on a batch of
 * thousands of records that read costs more than the job bookkeeping.
 * (The trade-off: Powertools' log buffering, not used here, would not see those lines.)
 */
export function powertoolsJobLogger(logger: Logger): JobLogger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error', threshold: number) => {
    return (message: string, extra?: Record<string, unknown>): void => {
      if (logger.level > threshold) return;
      if (extra) logger[level](message, extra as LogAttributes);
      else logger[level](message);
    };
  };
  return {
    debug: at('debug', LogLevelThreshold.DEBUG),
    info: at('info', LogLevelThreshold.INFO),
    warn: at('warn', LogLevelThreshold.WARN),
    error: at('error', LogLevelThreshold.ERROR),
  };
}
