import { loadAddon } from '../addon.js';

/** Raw functions of binding/eventfd.cc. */
export interface RawEventfd {
  /** eventfd(initval, EFD_NONBLOCK | EFD_CLOEXEC); returns the fd. */
  eventfdCreate(initval?: number): number;
}

/** The eventfd raw binding, loaded lazily. */
export function rawEventfd(): RawEventfd {
  return loadAddon<RawEventfd>();
}
