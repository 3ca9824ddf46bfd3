# The step runner of kc's setup and demo scripts (sourced, never run).
#
# A newcomer must be able to tell a slow step from a hung one, so each step
# prints one line with its elapsed time, shows progress while it runs, and
# keeps its own verbose output in a log file, which is printed (the step's
# last lines, and the path) only when the step fails:
#
#   steps_begin PREFIX LOGFILE     # "setup", /tmp/kc-setup.log (truncated)
#   step LABEL COMMAND [ARGS...]   # COMMAND may be a shell function
#   steps_end                      # "setup: ready in 14 s (log: ...)"
#
# What a step prints, one line each:
#   setup: Debian packages … 41 s
#   setup: pnpm … pnpm 12.4.2 already installed (0.1 s)     (a step_note)
# and while it runs, on a terminal a spinner on that line; elsewhere (CI logs,
# pipes) no carriage returns, but a plain line every KC_PROGRESS_EVERY_S
# seconds (default 10):
#   setup: CRIU …
#     … still building CRIU 4.1.1 with make (10 s)
#   setup: CRIU … installed CRIU 4.1.1 at /usr/local/sbin/criu (38 s)
# ("… still working on LABEL" when the step has not said what it is doing).
#
# Inside a step (also usable by scripts a step runs, which may source this
# file; outside a step both only print their text):
#   step_note TEXT    the step's result, shown on its line ("… already installed")
#   step_doing TEXT   what a long step is doing now ("building CRIU 4.1.1 with make")
#
# A step runs in the background (so the runner can draw progress), in its own
# process group (so an interrupt ends all of it), with the caller's shell
# options: under setup.sh's `set -euo pipefail` the first failing command ends
# the step. Call `step` as a plain command, not as `step ... || x` or in an
# `if`, which would switch errexit off inside the step. `step` returns the
# step's exit status, so under `set -e` a failed step ends the script, after
# the failure block (on stderr: the step's last lines and the log's path):
#   setup: CRIU … failed after 35 s (exit 2)
#     | <the step's last 20 lines of output>
#   setup: step "CRIU" failed; its output is in /tmp/kc-setup.log
#
# KC_PROGRESS=tty|plain forces the terminal or the plain form (default: tty
# when stdout is a terminal and TERM is not dumb).

# Records TEXT as the running step's result (shown on its line) and prints it.
step_note() {
  if [ -n "${KC_STEP_NOTE:-}" ]; then printf '%s\n' "$*" >"$KC_STEP_NOTE"; fi
  printf '%s\n' "$*"
}

# Records TEXT as what the running step does now (shown in its progress) and prints it.
step_doing() {
  if [ -n "${KC_STEP_DOING:-}" ]; then printf '%s\n' "$*" >"$KC_STEP_DOING"; fi
  printf '%s\n' "$*"
}

# Sets STEPS_NOW_MS to the milliseconds since the epoch, from bash's own clock
# (no fork: the progress loop reads it ten times a second).
_steps_now() {
  local t=${EPOCHREALTIME/[.,]/}
  STEPS_NOW_MS=$((t / 1000))
}

# Formats a duration in ms: one decimal under 10 s ("0.3 s"), whole seconds above.
_steps_fmt() {
  local ms=$1
  if [ "$ms" -lt 9950 ]; then
    printf '%d.%d s' $(((ms + 50) / 1000)) $((((ms + 50) % 1000) / 100))
  else
    printf '%d s' $(((ms + 500) / 1000))
  fi
}

# PREFIX LOGFILE: starts a run of steps; the log is truncated.
steps_begin() {
  STEPS_PREFIX=$1
  STEPS_LOG=$2
  _steps_now
  STEPS_START_MS=$STEPS_NOW_MS
  STEPS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kc-steps.XXXXXX")
  STEPS_EVERY_S=${KC_PROGRESS_EVERY_S:-10}
  STEPS_TTY=0
  case ${KC_PROGRESS:-} in
    tty) STEPS_TTY=1 ;;
    plain) ;;
    *) if [ -t 1 ] && [ "${TERM:-dumb}" != dumb ]; then STEPS_TTY=1; fi ;;
  esac
  mkdir -p "$(dirname "$STEPS_LOG")"
  printf '%s: %s, started %s\n' "$STEPS_PREFIX" "$0" "$(date -u '+%F %T UTC')" >"$STEPS_LOG"
  # A fifo nobody writes to: `read -t` on it is a sleep that forks nothing.
  mkfifo "$STEPS_TMP/tick"
  exec {STEPS_TICK_FD}<>"$STEPS_TMP/tick"
  STEPS_PID=
  trap '_steps_interrupted INT 130' INT
  trap '_steps_interrupted TERM 143' TERM
  trap '_steps_cleanup' EXIT
}

# Ctrl-C or a kill: the running step (its whole process group: apt, make, ...)
# goes too, instead of running on in the background.
_steps_interrupted() {
  if [ -n "${STEPS_PID:-}" ]; then kill -"$1" -- -"$STEPS_PID" 2>/dev/null || true; fi
  if [ "$STEPS_TTY" = 1 ]; then printf '\n'; fi
  printf '%s: interrupted (log: %s)\n' "$STEPS_PREFIX" "$STEPS_LOG" >&2
  exit "$2"
}

_steps_cleanup() {
  if [ -n "${STEPS_TMP:-}" ]; then rm -rf "$STEPS_TMP"; fi
}

# LABEL COMMAND [ARGS...]: runs one step (see the top of this file).
step() {
  local label=$1
  shift
  local head="$STEPS_PREFIX: $label …"
  local start_ms elapsed_ms offset rc=0 frame=0 next_progress=$STEPS_EVERY_S
  local frames=(⠋ ⠙ ⠹ ⠸ ⠼ ⠴ ⠦ ⠧ ⠇ ⠏) broke_line=0 doing note took
  _steps_now
  start_ms=$STEPS_NOW_MS
  : >"$STEPS_TMP/note"
  : >"$STEPS_TMP/doing"
  printf '\n== %s (started %s)\n' "$label" "$(date -u +%T)" >>"$STEPS_LOG"
  offset=$(stat -c %s "$STEPS_LOG")
  if [ "$STEPS_TTY" = 1 ]; then printf '%s %s' "$head" "${frames[0]}"; else printf '%s' "$head"; fi

  # Its own process group (set -m), so an interrupt can end all of it; stdin
  # from /dev/null, as nothing here may wait for an answer.
  set -m
  KC_STEP_NOTE="$STEPS_TMP/note" KC_STEP_DOING="$STEPS_TMP/doing" "$@" </dev/null >>"$STEPS_LOG" 2>&1 &
  STEPS_PID=$!
  set +m
  local tick=0.02 ticks=0
  while kill -0 "$STEPS_PID" 2>/dev/null; do
    # Short ticks at first (most steps that are already satisfied end within
    # a fraction of a second), then ten a second for the spinner.
    read -r -t "$tick" -u "$STEPS_TICK_FD" _ || true
    ticks=$((ticks + 1))
    if [ "$ticks" = 25 ]; then tick=0.1; fi
    _steps_now
    elapsed_ms=$((STEPS_NOW_MS - start_ms))
    if [ "$STEPS_TTY" = 1 ]; then
      # The spinner, and after 2 s the seconds and what the step says it is doing.
      frame=$(((frame + 1) % ${#frames[@]}))
      doing=
      read -r doing <"$STEPS_TMP/doing" || true
      if [ "$elapsed_ms" -ge 2000 ]; then
        printf '\r\033[K%s %s%s %d s' "$head" "${doing:+$doing }" "${frames[$frame]}" $((elapsed_ms / 1000))
      else
        printf '\r\033[K%s %s' "$head" "${frames[$frame]}"
      fi
    elif [ $((elapsed_ms / 1000)) -ge "$next_progress" ]; then
      doing=
      read -r doing <"$STEPS_TMP/doing" || true
      if [ "$broke_line" = 0 ]; then printf '\n'; fi
      broke_line=1
      printf '  … still %s (%d s)\n' "${doing:-working on $label}" "$next_progress"
      next_progress=$((next_progress + STEPS_EVERY_S))
    fi
  done
  wait "$STEPS_PID" || rc=$?
  STEPS_PID=
  _steps_now
  elapsed_ms=$((STEPS_NOW_MS - start_ms))
  took=$(_steps_fmt "$elapsed_ms")
  note=
  read -r note <"$STEPS_TMP/note" || true

  # The step's line: finished in place on a terminal, appended to the started
  # line or repeated after progress lines elsewhere.
  if [ "$STEPS_TTY" = 1 ]; then
    printf '\r\033[K%s' "$head"
  elif [ "$broke_line" = 1 ]; then
    printf '%s' "$head"
  fi
  if [ "$rc" != 0 ]; then
    printf ' failed after %s (exit %d)\n' "$took" "$rc"
    {
      tail -c +"$((offset + 1))" "$STEPS_LOG" | tail -n 20 | sed 's/^/  | /'
      printf '%s: step "%s" failed; its output is in %s\n' "$STEPS_PREFIX" "$label" "$STEPS_LOG"
    } >&2
    printf '== %s: failed (exit %d) after %s\n' "$label" "$rc" "$took" >>"$STEPS_LOG"
    return "$rc"
  fi
  printf '== %s: done after %s\n' "$label" "$took" >>"$STEPS_LOG"
  if [ -n "$note" ]; then printf ' %s (%s)\n' "$note" "$took"; else printf ' %s\n' "$took"; fi
}

# Ends a run of steps: one line with the total time and the log's path.
steps_end() {
  _steps_now
  printf '%s: ready in %s (log: %s)\n' "$STEPS_PREFIX" "$(_steps_fmt $((STEPS_NOW_MS - STEPS_START_MS)))" "$STEPS_LOG"
}
