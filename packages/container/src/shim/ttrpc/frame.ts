/**
 * ttrpc's framing (github.com/containerd/ttrpc, channel.go): every message is
 * a 10-byte header, big-endian `length(4) streamID(4) type(1) flags(1)`,
 * then `length` bytes of protobuf. Clients use odd stream ids, one per call.
 */

/** Bytes in a frame header. */
export const HEADER_BYTES = 10;
/** ttrpc's limit on a message body; a longer one is refused with ResourceExhausted and skipped. */
export const MAX_MESSAGE_BYTES = 4 << 20;

/** Frame types of ttrpc 1.1. */
export const FrameType = {
  Request: 1,
  Response: 2,
} as const;

/** One decoded frame. */
export interface Frame {
  readonly streamId: number;
  readonly type: number;
  readonly flags: number;
  readonly payload: Buffer;
}

/** A frame whose body was over {@link MAX_MESSAGE_BYTES}: its bytes are skipped, the stream gets an error. */
export interface OversizeFrame {
  readonly streamId: number;
  readonly type: number;
  readonly oversize: number;
}

/** Encodes one frame. */
export function encodeFrame(streamId: number, type: number, payload: Uint8Array, flags = 0): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt32BE(streamId >>> 0, 4);
  out.writeUInt8(type, 8);
  out.writeUInt8(flags, 9);
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * Cuts a byte stream into frames, whatever the chunking of the socket reads.
 * An oversize body is skipped as it arrives (never buffered), so a peer
 * cannot make the shim hold more than one maximum-size message.
 */
export class FrameDecoder {
  #buf: Buffer = Buffer.alloc(0);
  #skip = 0;

  /** Adds bytes read from the socket; returns the frames now complete. */
  push(chunk: Buffer): (Frame | OversizeFrame)[] {
    const out: (Frame | OversizeFrame)[] = [];
    let buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, buf.length);
      this.#skip -= n;
      buf = buf.subarray(n);
    }
    while (buf.length >= HEADER_BYTES) {
      const length = buf.readUInt32BE(0);
      const streamId = buf.readUInt32BE(4);
      const type = buf.readUInt8(8);
      const flags = buf.readUInt8(9);
      if (length > MAX_MESSAGE_BYTES) {
        out.push({ streamId, type, oversize: length });
        const n = Math.min(length, buf.length - HEADER_BYTES);
        this.#skip = length - n;
        buf = buf.subarray(HEADER_BYTES + n);
        continue;
      }
      if (buf.length < HEADER_BYTES + length) break;
      // A copy: the frame outlives the socket's chunk, which Node may reuse.
      out.push({ streamId, type, flags, payload: Buffer.from(buf.subarray(HEADER_BYTES, HEADER_BYTES + length)) });
      buf = buf.subarray(HEADER_BYTES + length);
    }
    this.#buf = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
    return out;
  }

  /** Bytes held of an incomplete frame (0 at a frame boundary). */
  get pending(): number {
    return this.#buf.length;
  }
}

/** Whether a decoded entry is an oversize frame. */
export function isOversize(f: Frame | OversizeFrame): f is OversizeFrame {
  return 'oversize' in f;
}
