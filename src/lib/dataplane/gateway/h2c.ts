/**
 * Cleartext HTTP/2 client sessions to instances whose container port is named `h2c` (Knative
 * serves those over h2c end to end). One session per instance, dropped on error or GOAWAY.
 */
import { connect, type ClientHttp2Session } from 'node:http2';
import type { Instance } from '../state.js';

/** Pool of h2c sessions keyed by instance. */
export class H2cSessions {
  private readonly sessions = new Map<string, ClientHttp2Session>();

  /** An open session to the instance (connecting if needed). */
  get(instance: Instance): ClientHttp2Session {
    const existing = this.sessions.get(instance.id);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = connect(`http://${instance.ip}:${instance.port}`);
    const drop = (): void => {
      if (this.sessions.get(instance.id) === session) this.sessions.delete(instance.id);
    };
    session.on('error', drop);
    session.on('goaway', drop);
    session.on('close', drop);
    // Idle sessions must not keep the process alive.
    session.unref();
    this.sessions.set(instance.id, session);
    return session;
  }

  /** Closes every session. */
  close(): void {
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }
}
