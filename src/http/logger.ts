import { pino } from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs; authorization headers and secrets are redacted at the source. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', '*.secret', '*.password', '*.token'], censor: '[redacted]' },
    base: { service: 'rolegate' },
  });
}
