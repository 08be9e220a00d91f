import { type Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { JobLogger } from '../jobs/define.js';

/** A {@link JobLogger} that may be told when a batch (an invocation) starts, to read its settings once. */
export interface WorkerLogger extends JobLogger {
  startBatch?(): void;
}

/**
 * A {@link WorkerLogger} on Powertools' Logger. It skips lines below the
 * logger's level before calling it: Powertools reads the X-Ray trace id from
 * the environment on every call, even for a line it then drops. The level
 * itself is read once per batch ({@link WorkerLogger.startBatch}), not per
 * line: Powertools' `level` getter reads an environment variable too, and a
 * batch writes a line per record. Powertools keeps the level per invocation,
 * which is one batch. (The trade-offs: Powertools' log buffering, not used
 * here, would not see the skipped lines; and a level changed in the middle of
 * a batch applies from the next batch.)
 */
export function powertoolsJobLogger(logger: Logger): WorkerLogger {
  let level = logger.level;
  return {
    startBatch: () => {
      level = logger.level;
    },
    debug: (message, extra) => {
      if (level > LogLevelThreshold.DEBUG) return;
      if (extra) logger.debug(message, extra as LogAttributes);
      else logger.debug(message);
    },
    info: (message, extra) => {
      if (level > LogLevelThreshold.INFO) return;
      if (extra) logger.info(message, extra as LogAttributes);
      else logger.info(message);
    },
    warn: (message, extra) => {
      if (level > LogLevelThreshold.WARN) return;
      if (extra) logger.warn(message, extra as LogAttributes);
      else logger.warn(message);
    },
    error: (message, extra) => {
      if (level > LogLevelThreshold.ERROR) return;
      if (extra) logger.error(message, extra as LogAttributes);
      else logger.error(message);
    },
  };
}
