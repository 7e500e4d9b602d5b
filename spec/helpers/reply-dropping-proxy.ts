import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** A test of the bytes a client sent on one connection, as text. */
export type SentBytes = (sent: string) => boolean;

/**
 * A TCP proxy in front of one Redis node that can lose a reply, as a network cut does: once
 * told to (`cutAfter`), the first time a client sends bytes that pass the test, the server
 * gets them and runs them, but its reply is not passed on and that connection is closed.
 * The client never learns whether its command ran; ioredis then sends it again.
 */
export class ReplyDroppingProxy {
  private readonly sockets = new Set<Socket>();
  private readonly sent: string[] = [];
  private cut: SentBytes | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<ReplyDroppingProxy> {
    const server = createServer();
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const proxy = new ReplyDroppingProxy(server, (server.address() as AddressInfo).port);
    server.on('connection', (client: Socket) => proxy.relay(client, target));
    return proxy;
  }

  /** The next connection that sends bytes passing `test` loses the reply to them; none after `undefined`. */
  cutAfter(test: SentBytes | undefined): void {
    this.cut = test;
  }

  /** How many sends (on every connection) passed `test`. */
  sends(test: SentBytes): number {
    return this.sent.filter(test).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((closed) => this.server.close(() => closed()));
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    const server = connect(target.port, target.host);
    this.sockets.add(client).add(server);
    let cutting = false;
    const end = () => {
      client.destroy();
      server.destroy();
      this.sockets.delete(client);
      this.sockets.delete(server);
    };
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      this.sent.push(text);
      if (this.cut?.(text) === true) {
        this.cut = undefined;
        cutting = true;
      }
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => {
      if (cutting) end();
      else client.write(chunk);
    });
    for (const socket of [client, server]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }
}
