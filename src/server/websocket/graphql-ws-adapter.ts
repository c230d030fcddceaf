import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, type Server } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';

export interface GraphQLWsAdapterOptions<Extra> {
  /** Pings every socket this often; one that has not answered the previous ping is dropped. */
  readonly keepAliveMs: number;
  /** What graphql-ws's hooks see of a new connection, taken from the upgrade request once. */
  readonly extraOf: (socket: WebSocket, request: IncomingMessage) => Extra;
  readonly onError: (error: unknown, message: string) => void;
}

/**
 * Runs graphql-ws's protocol core (`makeServer`) on a `ws` server, as graphql-ws's own
 * `useServer` does, but without what it keeps per socket and per subscription for their whole
 * lives: the upgrade request, a ping timer per socket, and for each subscription the raw message
 * and a suspended handler. With thousands of idle subscriptions those are most of their memory.
 */
export function serveGraphQLWs<Extra>(server: Server<Extra>, wss: WebSocketServer, options: GraphQLWsAdapterOptions<Extra>): { dispose(): Promise<void> } {
  wss.options.handleProtocols = handleProtocols;
  const unanswered = new Set<WebSocket>();
  function answered(this: WebSocket): void {
    unanswered.delete(this);
  }
  const heartbeat = setInterval(() => {
    for (const socket of wss.clients) {
      if (unanswered.has(socket)) socket.terminate();
      else if (socket.readyState === socket.OPEN) {
        unanswered.add(socket);
        socket.ping();
      }
    }
  }, options.keepAliveMs);
  heartbeat.unref();

  wss.on('connection', (socket, request) => {
    const failed = (error: unknown, message: string) => {
      options.onError(error, message);
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    };
    socket.once('error', (error) => failed(error, 'websocket failed'));
    socket.on('pong', answered);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => new Promise<void>((resolve, reject) => (socket.readyState === socket.OPEN ? socket.send(data, (error) => (error ? reject(error) : resolve())) : resolve())),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) => socket.on('message', (data) => void handle(String(data)).catch((error: unknown) => failed(error, 'graphql-ws message handling failed'))),
      },
      options.extraOf(socket, request),
    );
    socket.once('close', (code, reason) => {
      unanswered.delete(socket);
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      clearInterval(heartbeat);
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
