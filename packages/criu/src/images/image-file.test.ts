import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImageMagic, joinImage, splitImage } from './image-file.js';
import { parseInventory, parsePstree, parseStats } from './inspect.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../test/fixtures/images/${name}`, import.meta.url)));

describe('splitImage', () => {
  it('round-trips any entries, with and without the common header', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.boolean(), (entries, header) => {
        const img = joinImage(ImageMagic.Pstree, entries, header ? ImageMagic.Common : undefined);
        expect(splitImage(img, ImageMagic.Pstree, 'x').map((e) => [...e])).toEqual(entries.map((e) => [...e]));
      }),
    );
  });

  it('rejects a wrong magic and a truncated entry with INVALID_FORMAT', () => {
    const img = joinImage(ImageMagic.Pstree, [new Uint8Array([1, 2, 3])], ImageMagic.Common);
    expect(() => splitImage(img, ImageMagic.Stats, 'p')).toThrow(/magic/);
    expect(() => splitImage(img.subarray(0, img.length - 1), ImageMagic.Pstree, 'p')).toThrowError(expect.objectContaining({ code: 'INVALID_FORMAT' }));
    expect(() => splitImage(new Uint8Array(2), ImageMagic.Pstree, 'p')).toThrow(/too short/);
  });
});

describe('images written by criu 4.1.1 (test/fixtures/images, one dumped counter process)', () => {
  it('inventory.img: version 2, one magic only', () => {
    const inv = parseInventory(fixture('inventory.img'));
    expect(inv.imageVersion).toBe(2);
    expect(inv.fdinfoPerId).toBe(true);
    expect(inv.criuRunId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('pstree.img: one task that leads its own session', () => {
    const [root, ...rest] = parsePstree(fixture('pstree.img'));
    expect(rest).toEqual([]);
    expect(root?.pid).toBeGreaterThan(1);
    expect(root).toEqual({ pid: root?.pid, ppid: 0, pgid: root?.pid, sid: root?.pid, threads: [root?.pid] });
  });

  it('stats-dump: pages scanned ≥ written, nothing from a parent', () => {
    const { dump, restore } = parseStats(fixture('stats-dump'));
    expect(restore).toBeUndefined();
    expect(dump?.pagesWritten).toBeGreaterThan(0);
    expect(dump?.pagesScanned).toBeGreaterThanOrEqual(dump?.pagesWritten ?? 0);
    expect(dump?.pagesSkippedParent).toBe(0);
  });
});
