import { formatLogLine, type LogFormat, type PrettyOptions } from './log-format.js';

/** Where the runtime writes: function logs with a name prefix, notices, and (on a TTY) live status lines. */
export interface Output {
  /** One line a function wrote, prefixed with the function's name. */
  functionLine(name: string, line: string, stream: 'stdout' | 'stderr'): void;
  /** A line from the runtime itself. */
  info(line: string): void;
  /** Replaces the live status lines at the bottom (ignored when not a TTY). */
  status(lines: readonly string[]): void;
  /** Whether live status lines are drawn. */
  readonly live: boolean;
  /** Removes the status lines, leaving the log above them. */
  close(): void;
}

const COLOURS = [36, 35, 33, 32, 34, 91, 96, 95, 93, 92];

/** Options of {@link createOutput}. */
export interface OutputOptions {
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Print what functions write. @default true */
  readonly functionLogs?: boolean;
  /** Draw live status lines; only honoured on a TTY. @default true */
  readonly liveStatus?: boolean;
  /**
   * How function log lines are printed: `pretty`, readable (time, level, name,
   * message, fields, stack; see log-format.ts), or `json`, each line as the
   * function wrote it, for tools. @default pretty on a TTY, json otherwise
   */
  readonly logFormat?: LogFormat;
  /** Fields a pretty line shows first after its message, such as an app's job id. @default none */
  readonly leadingFields?: readonly string[];
}

/**
 * Plain lines when piped; colours, readable function logs and a redrawn status
 * block on a terminal. Log lines are written above the status block, which is
 * redrawn after them.
 */
export function createOutput(options: OutputOptions = {}): Output {
  const stream = options.stream ?? process.stdout;
  const tty = stream.isTTY === true;
  const live = tty && options.liveStatus !== false;
  const pretty: PrettyOptions | undefined =
    (options.logFormat ?? (tty ? 'pretty' : 'json')) === 'pretty'
      ? { colour: tty, ...(options.leadingFields ? { leadingFields: options.leadingFields } : {}) }
      : undefined;
  const colourOf = new Map<string, number>();
  let statusLines: readonly string[] = [];
  let drawn = 0;

  const clearStatus = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
  };
  const drawStatus = () => {
    if (!live || !statusLines.length) return;
    stream.write(`${statusLines.map((l) => `\x1b[2m${l}\x1b[0m`).join('\n')}\n`);
    drawn = statusLines.length;
  };
  const write = (text: string) => {
    clearStatus();
    stream.write(`${text}\n`);
    drawStatus();
  };
  const prefix = (name: string) => {
    if (!tty) return `[${name}]`;
    let colour = colourOf.get(name);
    if (colour === undefined) {
      colour = COLOURS[colourOf.size % COLOURS.length] as number;
      colourOf.set(name, colour);
    }
    return `\x1b[${colour}m[${name}]\x1b[0m`;
  };

  return {
    live,
    functionLine(name, line, streamName) {
      if (options.functionLogs === false) return;
      const readable = pretty && formatLogLine(line, pretty);
      if (readable) {
        write([`${readable.head}${prefix(name)} ${readable.body}`, ...readable.more.map((l) => `    ${l}`)].join('\n'));
        return;
      }
      write(`${prefix(name)} ${streamName === 'stderr' && tty ? `\x1b[31m${line}\x1b[0m` : line}`);
    },
    info(line) {
      write(line);
    },
    status(lines) {
      if (!live) return;
      clearStatus();
      statusLines = lines;
      drawStatus();
    },
    close() {
      clearStatus();
      statusLines = [];
    },
  };
}
