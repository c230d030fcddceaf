/**
 * One sample of a Prometheus metric on the gateway's `/metrics`, e.g.
 * `readMetric(url, 'gateway_subscription_connections', { transport: 'websocket' })`.
 * Labels must be given in the order the gateway writes them; a missing sample is 0.
 */
export async function readMetric(gatewayUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const labelText = Object.entries(labels)
    .map(([label, value]) => `${label}="${value}"`)
    .join(',');
  const sample = labelText ? `${name}{${labelText}}` : name;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}
