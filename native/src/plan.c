/* Decoding of the spawn plan's TLV buffer (parent side: allocation allowed). */
#include "kc/plan.h"

#include <stdlib.h>

typedef struct cursor {
  const uint8_t *p;
  size_t left;
} cursor;

static uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static uint64_t rd64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Counts occurrences of each tag so arrays can be sized in one pass. */
static int count_tags(const uint8_t *buf, size_t len, size_t counts[64], size_t *groups_len, size_t *extra_len,
                      size_t *filter_len) {
  size_t off = 0;
  while (off < len) {
    if (len - off < 8) return -1;
    uint32_t tag = rd32(buf + off), l = rd32(buf + off + 4);
    if (l > len - off - 8) return -1;
    if (tag >= 64) return -1;
    counts[tag]++;
    if (tag == KC_T_GROUPS) *groups_len += l / 4;
    if (tag == KC_T_EXTRA_FDS) *extra_len += l / 4;
    if (tag == KC_T_SECCOMP && l >= 8) *filter_len = l - 8;
    off += 8 + l;
  }
  return 0;
}

/* A NUL-terminated string payload, or NULL when malformed. */
static const char *str_payload(const uint8_t *p, uint32_t l) {
  if (l == 0 || p[l - 1] != 0) return NULL;
  return (const char *)p;
}

/* The next NUL-terminated string in a multi-string payload; empty strings become NULL. */
static const char *next_str(cursor *c, int *ok) {
  const void *nul = memchr(c->p, 0, c->left);
  if (!nul) {
    *ok = 0;
    return NULL;
  }
  const char *s = (const char *)c->p;
  size_t n = (size_t)((const uint8_t *)nul - c->p) + 1;
  c->p += n;
  c->left -= n;
  return s[0] ? s : NULL;
}

static int bad(kc_error *e, const char *what) { return kc_fail(e, EINVAL, "kc_plan_decode", what); }

/* Whether an id map (uid_map text: "inside outside count" lines) gives the namespace an id 0. */
static int maps_root(const char *map) {
  if (!map) return 0;
  for (const char *line = map; *line;) {
    while (*line == ' ' || *line == '\t') line++;
    if (line[0] == '0' && (line[1] == ' ' || line[1] == '\t')) return 1;
    const char *nl = strchr(line, '\n');
    if (!nl) break;
    line = nl + 1;
  }
  return 0;
}

int kc_plan_decode(const uint8_t *src, size_t len, kc_plan *plan, kc_error *e) {
  memset(plan, 0, sizeof *plan);
  plan->cgroup_fd = -1;
  plan->join_pidfd = -1;
  plan->stdio[0] = plan->stdio[1] = plan->stdio[2] = -1;
  plan->null_fallback_fd = -1;
  plan->cap_last = 63;
  plan->fault_step = -1;

  size_t counts[64] = {0}, ngroups = 0, nextra = 0, nfilter = 0;
  if (count_tags(src, len, counts, &ngroups, &nextra, &nfilter) < 0) return bad(e, "truncated or unknown record");

  /* One allocation: a copy of the buffer followed by the pointer arrays. */
  size_t sz = len + 8;
  sz += (counts[KC_T_ARG] + 1 + counts[KC_T_ENV] + 1) * sizeof(char *);
  sz += counts[KC_T_CGROUP_PROCS] * sizeof(char *);
  sz += counts[KC_T_SETNS] * sizeof(kc_setns_op);
  sz += counts[KC_T_MOUNT] * sizeof(kc_mount_op);
  sz += counts[KC_T_SYSCTL] * sizeof(kc_sysctl);
  sz += counts[KC_T_RLIMIT] * sizeof(kc_rlimit);
  sz += ngroups * sizeof(gid_t) + nextra * sizeof(int) + nfilter + 128;
  uint8_t *mem = calloc(1, sz);
  if (!mem) return kc_fail(e, ENOMEM, "malloc", NULL);
  plan->storage = mem;
  memcpy(mem, src, len);
  uint8_t *buf = mem;
  uint8_t *arena = mem + ((len + 15) & ~(size_t)7);
  /* Carves n objects of type from the arena, 8-byte aligned. */
#define TAKE(type, n) \
  ((type *)(arena = (uint8_t *)(((uintptr_t)arena + 7) & ~(uintptr_t)7), arena += sizeof(type) * (n), \
            arena - sizeof(type) * (n)))
  plan->argv = TAKE(char *, counts[KC_T_ARG] + 1);
  plan->envp = TAKE(char *, counts[KC_T_ENV] + 1);
  plan->cgroup_procs = (const char **)TAKE(char *, counts[KC_T_CGROUP_PROCS]);
  plan->setns = TAKE(kc_setns_op, counts[KC_T_SETNS]);
  plan->mounts = TAKE(kc_mount_op, counts[KC_T_MOUNT]);
  plan->sysctl = TAKE(kc_sysctl, counts[KC_T_SYSCTL]);
  plan->rlimits = TAKE(kc_rlimit, counts[KC_T_RLIMIT]);
  plan->groups = TAKE(gid_t, ngroups);
  plan->extra_fds = TAKE(int, nextra);
  plan->filter = TAKE(struct sock_filter, nfilter / sizeof(struct sock_filter));
#undef TAKE

  size_t off = 0;
  while (off < len) {
    uint32_t tag = rd32(buf + off), l = rd32(buf + off + 4);
    const uint8_t *p = buf + off + 8;
    off += 8 + l;
    const char *s = NULL;
    switch (tag) {
      case KC_T_FLAGS:
        if (l != 8) return bad(e, "flags");
        plan->clone_flags = rd64(p);
        break;
      case KC_T_PATH:
      case KC_T_ARG:
      case KC_T_ENV:
      case KC_T_CWD:
      case KC_T_HOSTNAME:
      case KC_T_DOMAINNAME:
      case KC_T_UID_MAP:
      case KC_T_GID_MAP:
      case KC_T_SETGROUPS:
      case KC_T_CGROUP_PROCS:
      case KC_T_TIMENS:
        if (!(s = str_payload(p, l))) return bad(e, "string");
        if (tag == KC_T_PATH) plan->path = s;
        else if (tag == KC_T_ARG) plan->argv[plan->argc++] = (char *)s;
        else if (tag == KC_T_ENV) plan->envp[plan->envc++] = (char *)s;
        else if (tag == KC_T_CWD) plan->cwd = s;
        else if (tag == KC_T_HOSTNAME) plan->hostname = s;
        else if (tag == KC_T_DOMAINNAME) plan->domainname = s;
        else if (tag == KC_T_UID_MAP) plan->uid_map = s;
        else if (tag == KC_T_GID_MAP) plan->gid_map = s;
        else if (tag == KC_T_SETGROUPS) plan->setgroups = s;
        else if (tag == KC_T_CGROUP_PROCS) plan->cgroup_procs[plan->n_cgroup_procs++] = s;
        else plan->timens_offsets = s;
        break;
      case KC_T_ID_MAP_HELPER: plan->id_map_helper = 1; break;
      case KC_T_CGROUP_FD:
        if (l != 4) return bad(e, "cgroup fd");
        plan->cgroup_fd = (int)rd32(p);
        break;
      case KC_T_SETNS:
        if (l != 8) return bad(e, "setns");
        plan->setns[plan->n_setns].fd = (int)rd32(p);
        plan->setns[plan->n_setns++].nstype = (int)rd32(p + 4);
        break;
      case KC_T_JOIN_PIDFD:
        if (l != 8) return bad(e, "join pidfd");
        plan->join_pidfd = (int)rd32(p);
        plan->join_pidfd_flags = (int)rd32(p + 4);
        break;
      case KC_T_MOUNT: {
        if (l < 40) return bad(e, "mount");
        kc_mount_op *m = &plan->mounts[plan->n_mounts++];
        m->kind = rd32(p);
        m->opflags = rd32(p + 4);
        m->flags = rd64(p + 8);
        m->propagation = rd64(p + 16);
        m->mode = rd32(p + 24);
        m->major = rd32(p + 28);
        m->minor = rd32(p + 32);
        m->fd = (int32_t)rd32(p + 36);
        cursor c = {p + 40, l - 40};
        int ok = 1;
        m->source = next_str(&c, &ok);
        m->target = next_str(&c, &ok);
        m->fstype = next_str(&c, &ok);
        m->data = next_str(&c, &ok);
        if (!ok) return bad(e, "mount strings");
        break;
      }
      case KC_T_SYSCTL: {
        cursor c = {p, l};
        int ok = 1;
        kc_sysctl *k = &plan->sysctl[plan->n_sysctl++];
        k->key = next_str(&c, &ok);
        k->value = next_str(&c, &ok);
        if (!ok || !k->key) return bad(e, "sysctl");
        if (!k->value) k->value = "";
        break;
      }
      case KC_T_RLIMIT:
        if (l != 24) return bad(e, "rlimit");
        plan->rlimits[plan->n_rlimits].resource = (int)rd32(p);
        plan->rlimits[plan->n_rlimits].cur = rd64(p + 8);
        plan->rlimits[plan->n_rlimits++].max = rd64(p + 16);
        break;
      case KC_T_OOM_SCORE_ADJ:
        if (l != 4) return bad(e, "oom_score_adj");
        plan->has_oom_score_adj = 1;
        plan->oom_score_adj = (int)rd32(p);
        break;
      case KC_T_USER:
        if (l != 8) return bad(e, "user");
        plan->has_user = 1;
        plan->uid = rd32(p);
        plan->gid = rd32(p + 4);
        break;
      case KC_T_GROUPS:
        plan->has_groups = 1;
        for (uint32_t i = 0; i + 4 <= l; i += 4) plan->groups[plan->n_groups++] = rd32(p + i);
        break;
      case KC_T_CAPS:
        if (l != 40) return bad(e, "caps");
        plan->has_caps = 1;
        plan->cap_eff = rd64(p);
        plan->cap_perm = rd64(p + 8);
        plan->cap_inh = rd64(p + 16);
        plan->cap_bnd = rd64(p + 24);
        plan->cap_amb = rd64(p + 32);
        break;
      case KC_T_SECUREBITS:
        if (l != 4) return bad(e, "securebits");
        plan->has_securebits = 1;
        plan->securebits = (int)rd32(p);
        break;
      case KC_T_NNP: plan->no_new_privs = 1; break;
      case KC_T_SECCOMP:
        if (l < 8 || (l - 8) % sizeof(struct sock_filter) != 0) return bad(e, "seccomp");
        plan->seccomp_flags = rd32(p);
        plan->seccomp_listener = rd32(p + 4) != 0;
        memcpy(plan->filter, p + 8, l - 8); /* into aligned storage */
        plan->n_filter = (l - 8) / sizeof(struct sock_filter);
        break;
      case KC_T_STDIO:
        if (l != 12) return bad(e, "stdio");
        for (int i = 0; i < 3; i++) plan->stdio[i] = (int)rd32(p + 4 * i);
        break;
      case KC_T_EXTRA_FDS:
        for (uint32_t i = 0; i + 4 <= l; i += 4) plan->extra_fds[plan->n_extra_fds++] = (int)rd32(p + i);
        break;
      case KC_T_SETSID: plan->setsid = 1; break;
      case KC_T_CTTY: plan->ctty = 1; break;
      case KC_T_PDEATHSIG:
        if (l != 4) return bad(e, "pdeathsig");
        plan->pdeathsig = (int)rd32(p);
        break;
      case KC_T_ENV_INHERIT: plan->env_inherit = 1; break;
      case KC_T_UMASK:
        if (l != 4) return bad(e, "umask");
        plan->has_umask = 1;
        plan->umask = rd32(p);
        break;
      case KC_T_NULL_FALLBACK:
        if (l != 4) return bad(e, "null_fallback");
        plan->null_fallback_fd = (int)rd32(p);
        break;
      case KC_T_FAULT:
        if (l != 4) return bad(e, "fault");
        plan->fault_step = (int)rd32(p);
        break;
      case KC_T_CAP_LAST:
        if (l != 4) return bad(e, "cap_last");
        plan->cap_last = (int)rd32(p);
        break;
      default:
        return bad(e, "unknown tag");
    }
  }
  if (plan->argc == 0) return bad(e, "argv is empty");
  plan->userns_root = maps_root(plan->uid_map) && maps_root(plan->gid_map);
  plan->argv[plan->argc] = NULL;
  plan->envp[plan->envc] = NULL;
  return 0;
}

void kc_plan_free(kc_plan *plan) {
  free(plan->storage);
  plan->storage = NULL;
}
