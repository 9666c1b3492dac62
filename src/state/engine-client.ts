/**
 * The one owner of the engine worker on the UI side: typed calls that resolve with the worker's result,
 * progress callbacks, cancellation, and a worker crash turned into errors for every pending call (the UI
 * never stays "running" after the worker dies).
 */
import type {
  EngineStatusEvent,
  FromWorker,
  ProgressEvent,
  RequestArgs,
  RequestType,
  ResultOf,
  ToWorker,
} from '../worker/protocol.ts';
import { isFromWorker } from '../worker/protocol.ts';

export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (p: ProgressEvent) => void;
}

export interface Call<K extends RequestType> {
  id: number;
  promise: Promise<ResultOf<K>>;
  cancel: () => void;
}

export class EngineClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  onStatus: (e: EngineStatusEvent) => void = () => {};
  onRole: (role: 'primary' | 'secondary') => void = () => {};

  constructor() {
    this.worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'ssgnet-engine' });
    this.worker.onmessage = (e: MessageEvent<unknown>) => this.receive(e.data);
    this.worker.onerror = (e: ErrorEvent) => this.failAll(`The engine worker crashed: ${e.message || 'unknown error'}`);
    this.worker.onmessageerror = () => this.failAll('A message from the engine could not be read.');
  }

  /** Starts a request; `promise` resolves with its result or rejects with an EngineError. */
  start<K extends RequestType>(type: K, args: RequestArgs<K>, onProgress?: (p: ProgressEvent) => void, transfer: Transferable[] = []): Call<K> {
    const id = this.nextId++;
    const promise = new Promise<ResultOf<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
    });
    this.worker.postMessage({ ...args, type, id } as ToWorker, transfer);
    return { id, promise, cancel: () => this.worker.postMessage({ type: 'cancel', target: id } satisfies ToWorker) };
  }

  call<K extends RequestType>(type: K, args: RequestArgs<K>, onProgress?: (p: ProgressEvent) => void): Promise<ResultOf<K>> {
    return this.start(type, args, onProgress).promise;
  }

  private receive(data: unknown): void {
    if (!isFromWorker(data)) return;
    const msg: FromWorker = data;
    if (msg.type === 'engine-status') {
      this.onStatus(msg);
      return;
    }
    if (msg.type === 'tab-role') {
      this.onRole(msg.role);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return; // a reply to a call nobody waits for any more: dropped
    switch (msg.type) {
      case 'progress':
        p.onProgress?.(msg);
        return;
      case 'result':
        this.pending.delete(msg.id);
        p.resolve(msg.value);
        return;
      case 'error':
        this.pending.delete(msg.id);
        p.reject(new EngineError(msg.message, msg.code));
        return;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  private failAll(message: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new EngineError(message, 'internal'));
    }
  }

  terminate(): void {
    this.failAll('The engine was stopped.');
    this.worker.terminate();
  }
}
