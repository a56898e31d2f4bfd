/**
 * A Transport decorator that sees every message in both directions: it tracks the ids of requests
 * in flight, flags responses nobody asked for, and reports errors and closes to the session.
 */
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ViolationKind } from '../types.js';
import { sampleOf } from './stdio.js';

export interface TapSignals {
  violation(kind: ViolationKind, sample: string): void;
  error(error: Error): void;
  closed(): void;
}

/** Late answers to requests we cancelled are legal; remember that many cancelled ids. */
const CANCELLED_MEMORY = 1000;

export class TapTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  /** The protocol version the server answered in `initialize`, as the SDK Client reports it. */
  negotiatedVersion: string | undefined;
  private readonly inFlight = new Map<RequestId, string>();
  private readonly cancelled = new Set<RequestId>();

  constructor(
    readonly inner: Transport,
    private readonly signals: TapSignals,
  ) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  setProtocolVersion(version: string): void {
    this.negotiatedVersion = version;
    this.inner.setProtocolVersion?.(version);
  }

  async start(): Promise<void> {
    this.inner.onmessage = (message, extra) => this.incoming(message, extra);
    this.inner.onerror = (error) => {
      this.signals.error(error);
      this.onerror?.(error);
    };
    this.inner.onclose = () => {
      this.signals.closed();
      this.onclose?.();
    };
    await this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const requestId = this.outgoing(message);
    try {
      await this.inner.send(message, options);
    } catch (err) {
      if (requestId !== undefined) this.inFlight.delete(requestId);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private outgoing(message: JSONRPCMessage): RequestId | undefined {
    if ('method' in message) {
      if ('id' in message) {
        this.inFlight.set(message.id, message.method);
        return message.id;
      }
      if (message.method === 'notifications/cancelled') {
        const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
        if (id !== undefined && this.inFlight.delete(id)) this.rememberCancelled(id);
      }
    }
    return undefined;
  }

  private incoming(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (!('method' in message) && ('result' in message || 'error' in message)) {
      const id = (message as { id?: RequestId | null }).id;
      if (id === undefined || id === null) {
        this.signals.violation('response-to-notification', sampleOf(JSON.stringify(message)));
        return;
      }
      if (!this.inFlight.delete(id)) {
        // A late answer to a request we cancelled (e.g. after a timeout) is fine; anything else is not.
        if (!this.cancelled.delete(id)) this.signals.violation('unknown-response-id', sampleOf(JSON.stringify(message)));
        return; // the SDK has no handler for it either
      }
    }
    this.onmessage?.(message, extra);
  }

  private rememberCancelled(id: RequestId): void {
    this.cancelled.add(id);
    if (this.cancelled.size > CANCELLED_MEMORY) {
      const oldest = this.cancelled.values().next().value;
      if (oldest !== undefined) this.cancelled.delete(oldest);
    }
  }
}
