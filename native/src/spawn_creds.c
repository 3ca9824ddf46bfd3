/*
 * Child steps: user and groups, then capabilities. Order (see capabilities(7)):
 * PR_SET_KEEPCAPS so permitted survives setresuid; setgroups, setresgid,
 * setresuid; raise effective to permitted (CAP_SETPCAP is needed to drop from
 * the bounding set); bounding drops; securebits; the three sets; ambient
 * (each ambient cap must be in permitted and inheritable).
 */
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spawn_internal.h"

static int capget_self(struct __user_cap_header_struct *h, struct __user_cap_data_struct d[2]) {
  h->version = _LINUX_CAPABILITY_VERSION_3;
  h->pid = 0;
  return (int)syscall(SYS_capget, h, d);
}

static int capset_self(struct __user_cap_header_struct *h, struct __user_cap_data_struct d[2]) {
  h->version = _LINUX_CAPABILITY_VERSION_3;
  h->pid = 0;
  return (int)syscall(SYS_capset, h, d);
}

static void switch_user(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  KC_FAULT_POINT(ctx, KC_STEP_KEEP_CAPS);
  if (p->has_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) kc_child_fail(ctx, KC_STEP_KEEP_CAPS, errno, -1, NULL);
  KC_FAULT_POINT(ctx, KC_STEP_GROUPS);
  if (p->has_groups && kc_setgroups(p->n_groups, p->groups) < 0) {
    /* In a user namespace with setgroups denied, an empty list is what we already have. */
    if (!(errno == EPERM && p->n_groups == 0)) kc_child_fail(ctx, KC_STEP_GROUPS, errno, -1, NULL);
  }
  KC_FAULT_POINT(ctx, KC_STEP_GID);
  if (kc_setresgid(p->gid) < 0) kc_child_fail(ctx, KC_STEP_GID, errno, -1, NULL);
  KC_FAULT_POINT(ctx, KC_STEP_UID);
  if (kc_setresuid(p->uid) < 0) kc_child_fail(ctx, KC_STEP_UID, errno, -1, NULL);
}

static void apply_caps(kc_child_ctx *ctx) {
  const kc_plan *p = ctx->plan;
  struct __user_cap_header_struct h;
  struct __user_cap_data_struct d[2];
  KC_FAULT_POINT(ctx, KC_STEP_CAP_BOUNDING);
  if (capget_self(&h, d) < 0) kc_child_fail(ctx, KC_STEP_CAP_BOUNDING, errno, -1, "capget");
  d[0].effective = d[0].permitted;
  d[1].effective = d[1].permitted;
  if (capset_self(&h, d) < 0) kc_child_fail(ctx, KC_STEP_CAP_BOUNDING, errno, -1, "capset");
  for (int cap = 0; cap <= p->cap_last && cap < 64; cap++) {
    if (p->cap_bnd & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      kc_child_fail(ctx, KC_STEP_CAP_BOUNDING, errno, cap, NULL);
  }
  KC_FAULT_POINT(ctx, KC_STEP_SECUREBITS);
  if (p->has_securebits && prctl(PR_SET_SECUREBITS, (unsigned long)p->securebits, 0, 0, 0) < 0)
    kc_child_fail(ctx, KC_STEP_SECUREBITS, errno, -1, NULL);
  KC_FAULT_POINT(ctx, KC_STEP_CAPSET);
  d[0].effective = (uint32_t)p->cap_eff;
  d[1].effective = (uint32_t)(p->cap_eff >> 32);
  d[0].permitted = (uint32_t)p->cap_perm;
  d[1].permitted = (uint32_t)(p->cap_perm >> 32);
  d[0].inheritable = (uint32_t)p->cap_inh;
  d[1].inheritable = (uint32_t)(p->cap_inh >> 32);
  if (capset_self(&h, d) < 0) kc_child_fail(ctx, KC_STEP_CAPSET, errno, -1, NULL);
  KC_FAULT_POINT(ctx, KC_STEP_CAP_AMBIENT);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && p->cap_amb)
    kc_child_fail(ctx, KC_STEP_CAP_AMBIENT, errno, -1, NULL);
  for (int cap = 0; cap <= p->cap_last && cap < 64; cap++) {
    if (!(p->cap_amb & (1ULL << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      kc_child_fail(ctx, KC_STEP_CAP_AMBIENT, errno, cap, NULL);
  }
}

void kc_child_credentials(kc_child_ctx *ctx) {
  if (ctx->plan->has_user) switch_user(ctx);
  if (ctx->plan->has_caps) apply_caps(ctx);
}
