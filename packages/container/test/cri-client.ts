/**
 * A tiny CRI client for tests: unary gRPC calls to containerd's CRI plugin
 * (`/runtime.v1.RuntimeService/<Method>`, `/runtime.v1.ImageService/<Method>`)
 * over its unix socket with node:http2, the way kubelet talks to it. The
 * messages come from the CRI API descriptor extracted from the containerd
 * binary itself (proto/extract-cri.mjs → fixtures/cri-runtime-v1.binpb).
 */
import { readFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { create, createFileRegistry, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(new URL('./fixtures/cri-runtime-v1.binpb', import.meta.url))));

/** A CRI call that ended with a non-zero grpc-status. */
export class CriCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly grpcMessage: string,
  ) {
    super(`${method}: grpc-status ${code}: ${grpcMessage}`);
  }
}

/** A connected client. Requests are plain objects (the messages' camelCase field names); responses are the decoded messages. */
export interface CriClient {
  runtime(method: string, request?: Record<string, unknown>, timeoutMs?: number): Promise<any>;
  image(method: string, request?: Record<string, unknown>, timeoutMs?: number): Promise<any>;
  close(): void;
}

/** Splits gRPC length-prefixed frames (1 byte compressed flag, 4 bytes big-endian length). */
function frames(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 5 <= body.length; ) {
    const n = body.readUInt32BE(at + 1);
    if (body[at] !== 0) throw new Error('compressed gRPC frame (not requested)');
    out.push(body.subarray(at + 5, at + 5 + n));
    at += 5 + n;
  }
  return out;
}

/** Connects to the CRI socket at `socketPath`. */
export function criConnect(socketPath: string): CriClient {
  const session = http2Connect('http://localhost', { createConnection: () => netConnect(socketPath) });
  session.on('error', () => {
    // Each call reports its own failure; this keeps a dropped session from throwing unhandled.
  });
  const call = (service: string, method: string, request: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<any> => {
    const svc = registry.getService(`runtime.v1.${service}`);
    const m = svc?.methods.find((x) => x.name === method);
    if (!m) throw new Error(`runtime.v1.${service} has no method ${method}`);
    const payload = toBinary(m.input, create(m.input, request));
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(payload.length, 1);
    const path = `/runtime.v1.${service}/${method}`;
    return new Promise((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${timeoutMs}m`,
      });
      const chunks: Buffer[] = [];
      let headers: Record<string, unknown> = {};
      stream.on('response', (h) => {
        headers = h;
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('trailers', (t) => {
        headers = { ...headers, ...t };
      });
      stream.on('error', reject);
      stream.on('end', () => {
        // A trailers-only response puts grpc-status in the headers.
        const status = Number(headers['grpc-status'] ?? -1);
        if (status !== 0) {
          reject(new CriCallError(path, status, decodeURIComponent(String(headers['grpc-message'] ?? ''))));
          return;
        }
        try {
          resolve(fromBinary(m.output, frames(Buffer.concat(chunks))[0] ?? new Uint8Array()));
        } catch (e) {
          reject(e);
        }
      });
      stream.end(Buffer.concat([prefix, payload]));
    });
  };
  return {
    runtime: (method, request, timeoutMs) => call('RuntimeService', method, request, timeoutMs),
    image: (method, request, timeoutMs) => call('ImageService', method, request, timeoutMs),
    close: () => session.close(),
  };
}
