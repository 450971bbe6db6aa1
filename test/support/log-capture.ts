/**
 * A logger built with the server's own options (its redaction included) that writes into
 * memory, so a test can read every line a running server wrote, down to `trace`.
 */
import pino from 'pino';
import type { Logger } from 'pino';

import { loggerOptions } from '../../src/server/log.js';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, as written (JSON text). */
  lines(): string[];
  text(): string;
}

export function captureLogs(level = 'trace'): CapturedLogs {
  const lines: string[] = [];
  const logger = pino(loggerOptions(level), { write: (line: string) => void lines.push(line) });
  return { logger, lines: () => [...lines], text: () => lines.join('') };
}
