// `serve --log-format text`: pino's JSON lines rewritten for a person at a terminal, one line
// each: `12:04:05.123Z INFO  validate uid=... allowed=false`. The JSON stays the format of a cluster,
// where a log collector parses it; this is only its presentation.

export const logFormats = ['text', 'json'] as const;
export type LogFormat = (typeof logFormats)[number];

interface Destination {
  write(text: string): unknown;
}

/** pino's numbers for its levels. */
const levels: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields every line has, said by the line's shape: the time, the level and the message. */
const framing = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** A pino stream that writes each JSON line it is given to `destination` as a line of text. */
export function textLog(destination: Destination): Destination {
  return { write: (line: string) => destination.write(`${textLine(line)}\n`) };
}

function textLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11) : '';
  const level = (levels[Number(record.level)] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record).flatMap(([key, value]) => (framing.has(key) ? [] : [`${key}=${shown(value)}`]));
  return [time, level, String(record.msg ?? ''), ...fields].filter(Boolean).join(' ');
}

/** Strings bare unless they hold a space or a quote; anything else as JSON. */
function shown(value: unknown): string {
  if (typeof value === 'string' && value !== '' && !/[\s"]/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}
