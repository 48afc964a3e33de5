/**
 * The training run's arguments as the user keeps them (the `trainingConfig` setting, hf layout): a
 * JSON object, or a YAML file of the kind HF, TRL and axolotl scripts take. Only what trainsafe needs
 * is read from YAML: the top-level `key: value` scalars (output_dir, resume_from_checkpoint,
 * save_only_model, save_steps); nested blocks and lists are skipped, not guessed at.
 */
import { promises as fsp } from "node:fs";
import { z } from "zod";
import { describeError } from "../lib/errors.js";
import { MAX_JSON_BYTES, parseJsonText } from "../lib/files.js";

export type TrainingConfigRead = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

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
  if (/\.ya?ml$/i.test(file)) return parseTopLevelYaml(file, text);
  const r = parseJsonText(file, text, z.record(z.string(), z.unknown()));
  return r.ok ? { ok: true, value: r.value } : { ok: false, message: r.message };
}

/** The top-level scalar keys of a YAML mapping. */
export function parseTopLevelYaml(file: string, text: string): TrainingConfigRead {
  if (text.includes("\0")) return { ok: false, message: `${file}: is binary, not YAML` };
  const value: Record<string, unknown> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // Indented lines belong to a nested block; comments, document markers and blank lines carry nothing.
    if (/^\s/.test(line) || line.trim() === "" || line.startsWith("#") || line === "---" || line === "...") continue;
    const m = /^("[^"]*"|'[^']*'|[^\s:#][^:#]*?)\s*:(?:\s+(.*))?$/.exec(line);
    if (!m) return { ok: false, message: `${file}: line ${i + 1}: not a "key: value" line: ${JSON.stringify(line.slice(0, 60))}` };
    const key = m[1]!.replace(/^["']|["']$/g, "");
    const raw = (m[2] ?? "").replace(/\s+#.*$/, "").trim();
    if (raw === "" || raw === "|" || raw === ">" || raw.startsWith("&")) continue; // a nested block or a multi-line string
    value[key] = scalar(raw);
  }
  return { ok: true, value };
}

function scalar(raw: string): unknown {
  if (/^(true|True|TRUE)$/.test(raw)) return true;
  if (/^(false|False|FALSE)$/.test(raw)) return false;
  if (/^(null|Null|NULL|~)$/.test(raw)) return null;
  if (/^[-+]?(\d[\d_]*)(\.\d*)?([eE][-+]?\d+)?$/.test(raw)) return Number(raw.replace(/_/g, ""));
  if (/^"(.*)"$/.test(raw)) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw.slice(1, -1);
    }
  }
  if (/^'(.*)'$/.test(raw)) return raw.slice(1, -1).replace(/''/g, "'");
  return raw;
}
