import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, isOversize, MAX_MESSAGE_BYTES } from './frame.js';

// A Connect request as containerd 1.6's ttrpc client frames it (stream 1, type 1, flags 0).
const connect = Buffer.from(
  '00000029000000010100' + '0a17' + Buffer.from('containerd.task.v2.Task').toString('hex') + '1207' + Buffer.from('Connect').toString('hex') + '1a050a03616263',
  'hex',
);

describe('ttrpc frames', () => {
  it('encodes the 10-byte big-endian header before the body', () => {
    const f = encodeFrame(0x01020304, 2, Buffer.from([0xaa, 0xbb]));
    expect(f.toString('hex')).toBe('00000002' + '01020304' + '02' + '00' + 'aabb');
  });

  it('decodes a frame split at every byte boundary', () => {
    for (let cut = 0; cut <= connect.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(connect.subarray(0, cut)), ...d.push(connect.subarray(cut))];
      expect(frames).toHaveLength(1);
      const [f] = frames;
      if (!f || isOversize(f)) throw new Error('expected one frame');
      expect(f.streamId).toBe(1);
      expect(f.type).toBe(1);
      expect(f.payload.length).toBe(0x29);
      expect(d.pending).toBe(0);
    }
  });

  it('decodes back-to-back frames from one chunk', () => {
    const two = Buffer.concat([connect, encodeFrame(3, 1, Buffer.alloc(0))]);
    const frames = new FrameDecoder().push(two);
    expect(frames.map((f) => f.streamId)).toEqual([1, 3]);
  });

  it('reports an oversize frame and skips its body without buffering it', () => {
    const d = new FrameDecoder();
    const header = Buffer.from('00' + (MAX_MESSAGE_BYTES + 1).toString(16).padStart(6, '0') + '000000050100', 'hex');
    const first = d.push(Buffer.concat([header, Buffer.alloc(1000)]));
    expect(first).toEqual([{ streamId: 5, type: 1, oversize: MAX_MESSAGE_BYTES + 1 }]);
    expect(d.push(Buffer.alloc(MAX_MESSAGE_BYTES + 1 - 1000 - 7))).toEqual([]);
    // The last 7 bytes of the oversize body, then a good frame: only the good frame comes out.
    const next = d.push(Buffer.concat([Buffer.alloc(7), connect]));
    expect(next).toHaveLength(1);
    expect(next[0]?.streamId).toBe(1);
    expect(d.pending).toBe(0);
  });
});
