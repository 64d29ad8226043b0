/**
 * Choosing the protocol of a gateway connection. A cleartext connection is HTTP/2 with prior
 * knowledge (h2c — what gRPC clients and `curl --http2-prior-knowledge` speak without TLS) when it
 * opens with the 24-byte client preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (RFC 9113 §3.4), and
 * HTTP/1.x otherwise; the first bytes decide, byte by byte, so an HTTP/1 request is handed on as
 * soon as its first byte differs from the preface. A TLS connection's protocol is its ALPN choice.
 *
 * Why not `http2.createServer({ allowHTTP1: true })`: that fallback keys on the TLS ALPN result,
 * so it only works on TLS. Why the replaying Duplex: Node 20's HTTP/2 session reads the socket's
 * native handle directly, so bytes read and unshifted in JavaScript would be lost (the HTTP/1
 * parser does see unshifted bytes). The h2c connection is handed over as a Duplex that yields the
 * sniffed bytes first and then the socket's; Node drives such a stream through its JS stream
 * adapter — slower than the native path, and only for cleartext HTTP/2.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** The HTTP/2 client connection preface. */
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * Reads from a fresh cleartext connection until its protocol is known, then calls `onHttp1` with
 * the socket (the bytes read put back) or `onH2c` with a Duplex replaying them.
 */
export function sniffConnection(
  socket: Socket,
  handlers: { onHttp1(socket: Socket): void; onH2c(stream: Duplex, socket: Socket): void },
): void {
  let seen: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    seen = seen.length ? Buffer.concat([seen, chunk]) : chunk;
    const n = Math.min(seen.length, H2_PREFACE.length);
    const prefaceSoFar = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (prefaceSoFar && seen.length < H2_PREFACE.length) return;
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.pause();
    if (prefaceSoFar) {
      handlers.onH2c(new ReplayingSocket(socket, seen), socket);
      return;
    }
    socket.unshift(seen);
    handlers.onHttp1(socket);
    socket.resume();
  };
  // A client that closes before sending enough to decide had nothing to ask.
  const onEnd = (): void => void socket.destroy();
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', () => socket.destroy());
}

/** A Duplex over `socket` whose readable side starts with `head`. */
class ReplayingSocket extends Duplex {
  constructor(
    private readonly socket: Socket,
    head: Buffer,
  ) {
    super();
    this.push(head);
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.socket.write(chunk, encoding, done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.socket.end(done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.socket.destroy();
    done(err);
  }
}
