/** A request budget: `requests` per `windowSeconds`. */
export interface RateLimitSpec {
  readonly requests: number;
  readonly windowSeconds: number;
}

const windowUnits: Readonly<Record<string, number>> = {
  s: 1, sec: 1, second: 1,
  min: 60, minute: 60,
  h: 3600, hour: 3600,
};

export const maxRequestsPerWindow = 1_000_000;

/** Parses `600/min`, `10/s`, `5000/hour`; undefined when malformed or out of range. */
export function parseRateLimit(text: string): RateLimitSpec | undefined {
  const match = /^(\d{1,7})\s*\/\s*([a-z]+)$/.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  const requests = Number(match[1]);
  const windowSeconds = windowUnits[match[2]];
  if (windowSeconds === undefined || requests < 1 || requests > maxRequestsPerWindow) return undefined;
  return { requests, windowSeconds };
}

export function formatRateLimit(spec: RateLimitSpec): string {
  const unit = spec.windowSeconds === 1 ? 's' : spec.windowSeconds === 60 ? 'min' : spec.windowSeconds === 3600 ? 'hour' : `${spec.windowSeconds}s`;
  return `${spec.requests}/${unit}`;
}
