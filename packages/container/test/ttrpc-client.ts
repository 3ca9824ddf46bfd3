/** A minimal ttrpc client for tests: raw frames to a shim's socket and the decoded responses back, by stream id. */
import { createConnection, type Socket } from 'node:net';
import { create, fromBinary, type Message, toBinary } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import { RequestSchema, type Response, ResponseSchema } from '../src/shim/gen/ttrpc_pb.js';
import { encodeFrame, FrameDecoder, isOversize } from '../src/shim/ttrpc/frame.js';

/** A connected client. */
export interface TtrpcTestClient {
  /** Writes raw bytes (a malformed frame, say). */
  raw(bytes: Buffer): void;
  /** Sends a request frame on `streamId` and resolves with its response. */
  call<I extends Message>(streamId: number, service: string, method: string, schema: GenMessage<I>, body: I): Promise<Response>;
  /** The response on `streamId` (for frames sent with raw). */
  response(streamId: number): Promise<Response>;
  close(): void;
}

/** Connects to a ttrpc socket. */
export async function ttrpcConnect(path: string): Promise<TtrpcTestClient> {
  const sock: Socket = createConnection(path);
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  const decoder = new FrameDecoder();
  const got = new Map<number, Response>();
  const waiters = new Map<number, (r: Response) => void>();
  sock.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) {
      if (isOversize(f)) continue;
      const r = fromBinary(ResponseSchema, f.payload);
      const w = waiters.get(f.streamId);
      if (w) {
        waiters.delete(f.streamId);
        w(r);
      } else got.set(f.streamId, r);
    }
  });
  const response = (id: number) =>
    new Promise<Response>((resolve) => {
      const r = got.get(id);
      if (r) {
        got.delete(id);
        resolve(r);
      } else waiters.set(id, resolve);
    });
  return {
    raw: (b) => sock.write(b),
    call(streamId, service, method, schema, body) {
      const req = create(RequestSchema, { service, method, payload: toBinary(schema, body) });
      sock.write(encodeFrame(streamId, 1, toBinary(RequestSchema, req)));
      return response(streamId);
    },
    response,
    close: () => sock.destroy(),
  };
}
