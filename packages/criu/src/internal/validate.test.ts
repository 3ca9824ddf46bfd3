import { describe, expect, it } from 'vitest';
import { CriuError } from '../errors.js';
import { dispatchNotification } from '../notifications.js';
import { validateCommon, validatePidShape } from './validate.js';

describe('validateCommon', () => {
  it('rejects bad shapes with INVALID_ARGUMENT naming the field', () => {
    const bad: [unknown, string][] = [
      [{ imagesDir: '' }, 'imagesDir'],
      [{ imagesDir: '/x', logFile: 'a/b' }, 'logFile'],
      [{ imagesDir: '/x', logLevel: 5 }, 'logLevel'],
      [{ imagesDir: '/x', timeoutSeconds: 0 }, 'timeoutSeconds'],
      [{ imagesDir: '/x', notify: 3 }, 'notify'],
    ];
    for (const [o, field] of bad) {
      try {
        validateCommon(o as never, 'dump');
        expect.unreachable(field);
      } catch (e) {
        expect(e).toBeInstanceOf(CriuError);
        expect(e).toMatchObject({ code: 'INVALID_ARGUMENT', field });
      }
    }
    expect(() => validateCommon({ imagesDir: '/x', logLevel: 4, logFile: 'a.log' }, 'dump')).not.toThrow();
  });

  it('accepts only positive integer pids', () => {
    for (const pid of [0, -1, 1.5, '3', null]) expect(() => validatePidShape(pid)).toThrow(CriuError);
    expect(() => validatePidShape(1)).not.toThrow();
  });
});

describe('dispatchNotification', () => {
  it('false or a throw vetoes; the specific handler runs before "*"', async () => {
    const order: string[] = [];
    const ok = await dispatchNotification(
      { 'pre-dump': () => void order.push('specific'), '*': () => void order.push('any') },
      { kind: 'pre-dump', pid: undefined },
    );
    expect(ok).toBe(true);
    expect(order).toEqual(['specific', 'any']);
    expect(await dispatchNotification(async () => false, { kind: 'post-dump', pid: undefined })).toBe(false);
    expect(
      await dispatchNotification(
        () => {
          throw new Error('no');
        },
        { kind: 'network-lock', pid: undefined },
      ),
    ).toBe(false);
    expect(await dispatchNotification({ 'post-dump': () => false }, { kind: 'pre-dump', pid: undefined })).toBe(true);
  });
});
