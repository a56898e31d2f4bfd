/**
 * The proxy's listening socket, which the `down` toxic can take away and give back on the same
 * port. Suspensions nest: listening resumes when the last one is undone.
 */
import { createServer, type Server, type Socket } from 'node:net';

const RELISTEN_ATTEMPTS = 20;
const RELISTEN_PAUSE_MS = 100;

export class Listener {
  private server: Server | undefined;
  private port_ = 0;
  private suspensions = 0;
  private closed = false;

  constructor(
    readonly host: string,
    private readonly onSocket: (socket: Socket) => void,
  ) {}

  get port(): number {
    return this.port_;
  }

  get suspended(): boolean {
    return this.suspensions > 0;
  }

  listen(port: number): Promise<void> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, this.onSocket);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        server.on('error', () => undefined); // accept errors (EMFILE) must not crash the run
        if (this.closed) {
          server.close(); // close() ran while we were listening again
          resolve();
          return;
        }
        this.server = server;
        const address = server.address();
        if (address && typeof address === 'object') this.port_ = address.port;
        resolve();
      });
    });
  }

  suspend(): void {
    this.suspensions += 1;
    if (this.suspensions > 1 || this.server === undefined) return;
    // close() frees the port at once (ECONNREFUSED from now on); its callback would wait for the
    // accepted sockets, which the proxy manages itself.
    this.server.close();
    this.server = undefined;
  }

  async resume(): Promise<void> {
    if (this.suspensions === 0) return;
    this.suspensions -= 1;
    if (this.suspensions > 0 || this.closed) return;
    // Another process may have taken the port meanwhile; retry for a while before giving up.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.listen(this.port_);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= RELISTEN_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, RELISTEN_PAUSE_MS));
      }
    }
  }

  /** Stop listening for good; resolves when the server has let go of its accepted sockets. */
  async close(): Promise<void> {
    this.closed = true;
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
