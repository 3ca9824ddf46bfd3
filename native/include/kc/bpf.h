/*
 * The thin bpf(2) calls the cgroup v2 device controller needs: load a
 * BPF_PROG_TYPE_CGROUP_DEVICE program, attach it to a cgroup, list and
 * detach what is attached. The program itself is emitted by @kc/cgroups in
 * TypeScript (packages/cgroups/src/devices/program.ts).
 */
#ifndef KC_BPF_H
#define KC_BPF_H
#include <stddef.h>
#include <stdint.h>
#include "kc/error.h"
#ifdef __cplusplus
extern "C" {
#endif

/*
 * BPF_PROG_LOAD of a cgroup device program (`n_insns` eBPF instructions of
 * 8 bytes). Returns a close-on-exec program fd. On a verifier rejection the
 * kernel's log (up to log_cap bytes) is written to `log`.
 */
int kc_bpf_load_device_prog(const uint8_t *insns, size_t n_insns, char *log, size_t log_cap, kc_error *e);

/* BPF_PROG_ATTACH of prog_fd to the cgroup directory cgroup_fd as BPF_CGROUP_DEVICE with BPF_F_ALLOW_MULTI. */
int kc_bpf_attach_device_prog(int cgroup_fd, int prog_fd, kc_error *e);

/* BPF_PROG_DETACH of prog_fd (BPF_CGROUP_DEVICE) from the cgroup directory cgroup_fd. */
int kc_bpf_detach_device_prog(int cgroup_fd, int prog_fd, kc_error *e);

/* BPF_PROG_QUERY: ids of the device programs attached to cgroup_fd itself (at most cap). Returns the count. */
int kc_bpf_query_device_progs(int cgroup_fd, uint32_t *ids, uint32_t cap, kc_error *e);

/* BPF_PROG_GET_FD_BY_ID: a close-on-exec fd of program `id`. */
int kc_bpf_prog_fd_by_id(uint32_t id, kc_error *e);

#ifdef __cplusplus
}
#endif
#endif
