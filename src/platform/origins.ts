/**
 * A web origin as browsers send it in `Origin`: `scheme://host[:port]`, lower case, default port
 * dropped. Undefined when `text` is not one (a path, a query, credentials, another scheme).
 */
export function normalizedOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const isBare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !text.endsWith('/');
  return (url.protocol === 'https:' || url.protocol === 'http:') && isBare ? url.origin.toLowerCase() : undefined;
}
