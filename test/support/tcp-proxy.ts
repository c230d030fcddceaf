import { once } from 'node:events';
import net from 'node:net';

export interface TcpProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlThrough(url: string): string;
  /** Like a server going down: drops every open connection and refuses new ones until `restore()`. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP forwarder to `target` on 127.0.0.1, for simulating a database that goes away and comes back. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const openSockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    openSockets.add(socket);
    socket.once('close', () => openSockets.delete(socket));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', destroyBoth);
      socket.on('close', destroyBoth);
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;

  const stopListening = async () => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of openSockets) socket.destroy();
    await closed;
  };

  return {
    port,
    urlThrough(url) {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    cut: stopListening,
    async restore() {
      if (server.listening) return;
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    close: stopListening,
  };
}
