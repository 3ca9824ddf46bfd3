import { spawn } from 'node:child_process';
import { create, type Message, toBinary } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import { AnySchema } from '@bufbuild/protobuf/wkt';

/**
 * Publishes task events to containerd the way shims of containerd 1.2+ may:
 * `<publish-binary> --address A publish --topic T --namespace N`, the event
 * as a protobuf Any on stdin. Events go out one at a time, in order (create
 * before start before exit before delete), and a failed publish is logged,
 * never thrown: containerd still learns the outcome through Wait and State.
 */
export class EventPublisher {
  #tail: Promise<void> = Promise.resolve();

  constructor(
    readonly binary: string,
    readonly address: string,
    readonly namespace: string,
    readonly log: (line: string) => void,
  ) {}

  /** Queues one event; `topic` such as `/tasks/exit`. The Any's type URL is the bare message name (containerd's typeurl registry keys). */
  publish<T extends Message>(topic: string, schema: GenMessage<T>, event: T): void {
    const any = create(AnySchema, { typeUrl: schema.typeName, value: toBinary(schema, event) });
    const bytes = toBinary(AnySchema, any);
    this.#tail = this.#tail.then(() => this.#run(topic, bytes));
  }

  /** Resolves when every queued event was handed to containerd (or failed). */
  flush(): Promise<void> {
    return this.#tail;
  }

  #run(topic: string, bytes: Uint8Array): Promise<void> {
    if (!this.binary || !this.address) return Promise.resolve();
    return new Promise((resolve) => {
      const child = spawn(this.binary, ['--address', this.address, 'publish', '--topic', topic, '--namespace', this.namespace], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('error', (e) => {
        this.log(`publish ${topic}: ${e.message}`);
        resolve();
      });
      child.on('close', (code) => {
        if (code !== 0) this.log(`publish ${topic} exited ${code}: ${err.trim()}`);
        resolve();
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(Buffer.from(bytes));
    });
  }
}
