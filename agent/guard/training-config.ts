/**
 * The training run's arguments as the user keeps them (the `trainingConfig` setting, hf layout): a
 * JSON object, or a YAML file of the kind HF (`HfArgumentParser.parse_yaml_file`), TRL, accelerate
 * and axolotl take. YAML is parsed whole (the `yaml` package: nested blocks, lists, flow collections,
 * anchors and `<<` merges, block scalars) and its plain scalars are typed the way PyYAML types them,
 * because PyYAML (YAML 1.1) is what those Python tools read the file with: `yes`/`on` are true,
 * `1e-4` is text (PyYAML wants `1.0e-4`), `0755` is octal. Never throws; every failure names the file
 * and the line.
 */
import { LineCounter, parseAllDocuments, visit, isMap, isScalar } from "yaml";
import { describeError } from "../lib/errors.js";
import { MAX_JSON_BYTES, parseJsonText } from "../lib/files.js";
import { files as fsp } from "../lib/fs-mode.js";
import { jsonObject } from "../lib/schema.js";

export type TrainingConfigRead =
  | {
      ok: true;
      value: Record<string, unknown>;
      /** "yaml" or "json": how the file was read. */
      format: "json" | "yaml";
      /** Line (1-based) of each top-level key, where the format tells (YAML). */
      lines: Record<string, number>;
    }
  | { ok: false; message: string };

/** Whether `file` is read as YAML (by its extension); anything else is JSON. */
export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/** Reads a JSON or YAML training config; never throws, every failure names the file (and line). */
export async function readTrainingConfig(file: string): Promise<TrainingConfigRead> {
  let text: string;
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return { ok: false, message: `${file}: is not a regular file` };
    if (st.size > MAX_JSON_BYTES) return { ok: false, message: `${file}: ${st.size} bytes is too large for a training config` };
    text = await fsp.readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, message: code === "ENOENT" ? `${file}: does not exist` : `${file}: cannot read (${describeError(err)})` };
  }
  if (isYamlFile(file)) return parseTrainingYaml(file, text);
  const r = parseJsonText(file, text, jsonObject);
  return r.ok ? { ok: true, value: r.value, format: "json", lines: {} } : { ok: false, message: r.message };
}

// PyYAML's implicit resolvers (yaml/resolver.py), the YAML 1.1 types Python training tools see.
const PY_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PY_NULL = /^(?:~|null|Null|NULL|)$/;
const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PY_INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
/** What YAML 1.2, JSON and most non-Python readers take as a number ("1e-4", which PyYAML reads as text). */
export const YAML12_NUMBER = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** The value PyYAML gives a plain (unquoted) scalar. */
export function pyyamlScalar(s: string): unknown {
  if (PY_NULL.test(s)) return null;
  if (PY_BOOL.test(s)) return /^(?:yes|true|on)$/i.test(s);
  if (PY_INT.test(s)) return pyInt(s.replace(/_/g, ""));
  if (PY_FLOAT.test(s)) {
    const t = s.replace(/_/g, "");
    if (/inf$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
    if (/nan$/i.test(t)) return NaN;
    if (t.includes(":")) return sexagesimal(t);
    return Number(t);
  }
  return s;
}

function pyInt(t: string): number {
  const sign = t.startsWith("-") ? -1 : 1;
  const u = t.replace(/^[-+]/, "");
  if (u.startsWith("0b")) return sign * parseInt(u.slice(2), 2);
  if (u.startsWith("0x")) return sign * parseInt(u.slice(2), 16);
  if (u.includes(":")) return sign * sexagesimal(u);
  if (u.length > 1 && u.startsWith("0")) return sign * parseInt(u, 8);
  return sign * Number(u);
}

/** "1:30" is 90 in YAML 1.1 (base 60). */
function sexagesimal(t: string): number {
  const sign = t.startsWith("-") ? -1 : 1;
  return sign * t.replace(/^[-+]/, "").split(":").reduce((acc, part) => acc * 60 + Number(part), 0);
}

/** Parses YAML text as a training config: one document, a mapping at the top, PyYAML's scalar types. */
export function parseTrainingYaml(file: string, text: string): TrainingConfigRead {
  if (text.includes("\0")) return { ok: false, message: `${file}: is binary, not YAML` };
  const lineCounter = new LineCounter();
  // failsafe: every scalar stays text, typed below by PyYAML's rules; `<<` merges and a repeated key
  // (the last one wins) as in PyYAML, so a file the trainer reads is never refused here.
  const docs = parseAllDocuments(text, { version: "1.1", schema: "failsafe", merge: true, lineCounter, uniqueKeys: false });
  const at = (offset: number) => lineCounter.linePos(offset).line;
  const list = Array.isArray(docs) ? docs : [];
  for (const d of list) {
    const e = d.errors[0];
    if (e) {
      const pos = lineCounter.linePos(e.pos[0]);
      const what = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      return { ok: false, message: `${file}: line ${pos.line}, column ${pos.col}: ${what}` };
    }
  }
  if (list.length > 1) {
    return { ok: false, message: `${file}: line ${at(list[1]!.range[0])}: a second YAML document; a training config is one (PyYAML's safe_load refuses more)` };
  }
  const doc = list[0];
  if (!doc || doc.contents === null) return { ok: true, value: {}, format: "yaml", lines: {} };
  if (!isMap(doc.contents)) return { ok: false, message: `${file}: line ${at(doc.contents.range[0])}: must be a mapping of settings (key: value), not a ${isScalar(doc.contents) ? "single value" : "list"}` };
  visit(doc, {
    Scalar(key, node) {
      // Keys stay text (field names); quoted and block scalars are text in every YAML.
      if (key === "key" || node.type !== "PLAIN" || typeof node.value !== "string") return;
      node.value = pyyamlScalar(node.value);
    },
  });
  let value: unknown;
  try {
    // Aliases are expanded; a document that expands them without bound (a "billion laughs") is refused.
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    return { ok: false, message: `${file}: ${describeError(err)}` };
  }
  const lines: Record<string, number> = {};
  for (const item of doc.contents.items) {
    const k = isScalar(item.key) ? item.key.value : null;
    if (typeof k === "string" && item.key && isScalar(item.key) && item.key.range) lines[k] = at(item.key.range[0]);
  }
  return { ok: true, value: (value ?? {}) as Record<string, unknown>, format: "yaml", lines };
}
