import { loadAddon } from '../addon.js';

/** ioctl_ns(2) operations accepted by {@link RawNsinfo.nsIoctl}. */
export const NsIoctlOp = {
  /** NS_GET_USERNS: a new fd of the owning user namespace. */
  GetUserns: 1,
  /** NS_GET_PARENT: a new fd of the parent namespace (pid and user namespaces). */
  GetParent: 2,
  /** NS_GET_NSTYPE: the CLONE_NEW* value of the namespace. */
  GetNstype: 3,
} as const;

/** Raw functions of binding/nsinfo.cc (namespace files and their ioctls). */
export interface RawNsinfo {
  /** Runs NS_GET_USERNS / NS_GET_PARENT (returns a new fd) or NS_GET_NSTYPE (returns CLONE_NEW*). */
  nsIoctl(fd: number, op: number): number;
  /** NS_GET_OWNER_UID of a user-namespace fd. */
  nsOwnerUid(fd: number): number;
  /** PIDFD_GET_*_NAMESPACE (Linux 6.11+): `which` 1=cgroup 2=ipc 3=mnt 4=net 5=pid 6=pid_for_children 7=time 8=time_for_children 9=user 10=uts. */
  pidfdGetNamespace(pidfd: number, which: number): number;
  /** open(path, O_RDONLY|O_CLOEXEC). */
  nsOpen(path: string): number;
  /** fstat(2): device and inode of an fd. */
  nsStat(fd: number): {
    /** `st_dev` of the fd (the nsfs device for a namespace file), as a number. */
    dev: number;
    /** `st_ino`: for a namespace file, the namespace id shown in `readlink /proc/PID/ns/KIND` (`net:[4026531840]`). */
    ino: number;
  };
}

/** The namespace-inspection raw binding, loaded lazily. */
export function rawNsinfo(): RawNsinfo {
  return loadAddon<RawNsinfo>();
}
