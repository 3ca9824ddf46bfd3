import { describe, expect, it } from 'vitest';
import { CriuError } from '../errors.js';
import { dispatchNotification } from '../notifications.js';
import { validateCommon, validateLazyDump, validateLazyPageServerPort, validatePageServerAddress, validatePidShape } from './validate.js';

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

describe('lazy-pages validation', () => {
  const fieldOf = (fn: () => void): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (e) {
      expect(e).toBeInstanceOf(CriuError);
      expect((e as CriuError).code).toBe('INVALID_ARGUMENT');
      return (e as CriuError).field;
    }
  };

  it('a lazy dump needs pageServer; a given pageServer must be well formed', () => {
    expect(fieldOf(() => validateLazyDump({ lazyPages: true }))).toBe('pageServer');
    expect(fieldOf(() => validateLazyDump({ lazyPages: true, pageServer: { address: '', port: 1 } }))).toBe('pageServer.address');
    expect(fieldOf(() => validateLazyDump({ pageServer: { address: '10.0.0.1', port: 0 } }))).toBe('pageServer.port');
    expect(fieldOf(() => validateLazyDump({ pageServer: { address: '10.0.0.1', port: 65536 } }))).toBe('pageServer.port');
    expect(fieldOf(() => validateLazyDump({ lazyPages: true, pageServer: { address: '10.0.0.1', port: 27000 } }))).toBeUndefined();
    expect(fieldOf(() => validateLazyDump({}))).toBeUndefined();
  });

  it('a lazy page server needs an explicit port', () => {
    expect(fieldOf(() => validateLazyPageServerPort(undefined))).toBe('port');
    expect(fieldOf(() => validateLazyPageServerPort(0))).toBe('port');
    expect(fieldOf(() => validateLazyPageServerPort(1.5))).toBe('port');
    expect(fieldOf(() => validateLazyPageServerPort(27000))).toBeUndefined();
  });

  it('validatePageServerAddress rejects non-objects', () => {
    expect(fieldOf(() => validatePageServerAddress(null, 'pageServer'))).toBe('pageServer');
    expect(fieldOf(() => validatePageServerAddress('10.0.0.1:1', 'pageServer'))).toBe('pageServer');
  });
});
