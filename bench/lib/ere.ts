/** The crash rules' JavaScript regexes as POSIX ERE, for the grep references of the crash benchmarks. */

/** `source` as POSIX ERE for grep -E (named and non-capturing groups to plain ones, \d to [0-9]; case-insensitive letters spelled [xX]). */
export function toEre(source: string, ignoreCase: boolean): string {
  let s = source
    .replace(/\(\?<[A-Za-z_$][\w$]*>/g, "(")
    .replace(/\(\?:/g, "(")
    .replace(/\\d/g, "[0-9]");
  if (ignoreCase) {
    // Letters outside escapes and classes become [xX].
    let out = "";
    let inClass = false;
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (c === "\\") {
        out += c + (s[++i] ?? "");
        continue;
      }
      if (c === "[") inClass = true;
      else if (c === "]") inClass = false;
      out += !inClass && /[A-Za-z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
    }
    s = out;
  }
  return s;
}
