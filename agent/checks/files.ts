/**
 * Required files: config.json and the trainer's scripts in the seed layout; in the hf layout only the
 * trainingConfig file when one is set (a plain HF job has none of the seed's files). No repair:
 * trainsafe never creates config.
 */
import { constants } from "node:fs";
import { files as fsp } from "../lib/fs-mode.js";
import { effectiveProfile } from "../config/layout.js";
import { describeError } from "../lib/errors.js";
import { result, worst, type Check, type CheckStatus } from "./types.js";
import { rel } from "./util.js";

export const filesCheck: Check = {
  id: "files",
  title: "required files",
  async run({ settings }) {
    const { layout } = settings;
    const profile = await effectiveProfile(layout);
    if (profile === "hf" && !layout.trainingConfig) {
      return result("skip", "hf layout: no trainsafe files required (config.json, core/ are the seed layout's)", { files: [], problems: [], layout: profile });
    }
    const files = profile === "hf" ? [layout.trainingConfig!] : [layout.configFile, layout.trainScript, layout.daemonScript];
    let status: CheckStatus = "pass";
    const problems: string[] = [];
    for (const f of files) {
      try {
        const st = await fsp.stat(f);
        if (!st.isFile()) {
          status = worst(status, "fail");
          problems.push(`${rel(layout, f)} is not a regular file`);
          continue;
        }
        await fsp.access(f, constants.R_OK);
        if (st.size === 0) {
          status = worst(status, "warn");
          problems.push(`${rel(layout, f)} is empty`);
        }
      } catch (err) {
        status = worst(status, "fail");
        const code = (err as NodeJS.ErrnoException).code;
        problems.push(code === "ENOENT" ? `${rel(layout, f)} is missing` : `${rel(layout, f)}: ${describeError(err)}`);
      }
    }
    const details = { files, problems };
    if (problems.length === 0) return result("pass", `${files.map((f) => rel(layout, f)).join(", ")} present`, details);
    return result(status, problems.join("; "), details);
  },
};
