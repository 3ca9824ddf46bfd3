/**
 * Character classes of the C locale, as libcap's parser uses them (ctype.h):
 * the text format is ASCII; any other character is simply not a letter.
 */

/** isspace(3) in the C locale. */
export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** isalpha(3) in the C locale. */
export function isAlpha(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/** isdigit(3). */
export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** A character that may start or continue a capability word (isalnum or `_`). */
export function isWordChar(c: string | undefined): boolean {
  return isAlpha(c) || isDigit(c) || c === '_';
}

function isHexDigit(c: string | undefined): boolean {
  return isDigit(c) || (c !== undefined && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
}

/**
 * Reads an unsigned number at `pos` the way strtoul(3) with base 0 does:
 * `0x` + hex digits, `0` + octal digits, else decimal. Returns the value
 * (saturated, as strtoul saturates at ULONG_MAX) and the end offset.
 */
export function scanNumber(text: string, pos: number): { value: bigint; end: number } {
  let base = 10n;
  let start = pos;
  let digit = isDigit;
  if (text[pos] === '0' && (text[pos + 1] === 'x' || text[pos + 1] === 'X') && isHexDigit(text[pos + 2])) {
    base = 16n;
    start = pos + 2;
    digit = isHexDigit;
  } else if (text[pos] === '0') {
    base = 8n;
    digit = (c) => c !== undefined && c >= '0' && c <= '7';
  }
  let end = start;
  let value = 0n;
  const max = (1n << 64n) - 1n;
  while (digit(text[end])) {
    value = value * base + BigInt(Number.parseInt(text[end] as string, 16));
    if (value > max) value = max;
    end++;
  }
  return { value, end };
}
