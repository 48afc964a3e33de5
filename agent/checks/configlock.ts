/**
 * Config lock consistency: config.json still matches .config_lock.json. A changed base_model while
 * checkpoints exist fails (a resume would train the wrong model). A missing lock is created by
 * `--fix` only while there are no checkpoints: with checkpoints, today's config may already differ
 * from the one they were trained with, and locking it would bless the difference.
 */
import { constants } from "node:fs";
import { files as fsp } from "../lib/fs-mode.js";
import { effectiveProfile } from "../config/layout.js";
import { checkpointNames } from "../guard/checkpoint.js";
import { lockConfig, lockStatus } from "../guard/config.js";
import { result, type Check } from "./types.js";
import { rel } from "./util.js";

export const configLockCheck: Check = {
  id: "config-lock",
  title: "config lock consistent",
  async run({ settings }) {
    const { layout } = settings;
    // The lock records the seed's config.json; a plain HF job has none to lock.
    if ((await effectiveProfile(layout)) === "hf") return result("skip", "hf layout: no trainsafe config.json to lock", { lockFile: layout.lockFile });
    const st = await lockStatus(layout);
    const details = { lockFile: layout.lockFile, changes: st.changes, baseModelChanged: st.baseModelChanged, blocking: st.blocking };
    if (!st.present) {
      const checkpoints = await checkpointNames(layout.modelDir);
      if (checkpoints.length > 0) {
        return result(
          "warn",
          `no config lock, and ${checkpoints.length} checkpoint(s) exist: nothing proves config.json is the one they were trained with ` +
            `(check base_model, then \`trainsafe config lock\`)`,
          { ...details, checkpoints },
        );
      }
      const configReadable = await fsp.access(layout.configFile, constants.R_OK).then(() => true, () => false);
      if (!configReadable) return result("warn", `no config lock, and ${rel(layout, layout.configFile)} is not readable to lock`, details);
      return result("warn", `no config lock at ${rel(layout, layout.lockFile)} (no checkpoints yet)`, details, {
        description: `create ${rel(layout, layout.lockFile)} from the current config.json`,
        async apply() {
          // Re-check at repair time: a checkpoint written since the check makes locking unsafe.
          if ((await checkpointNames(layout.modelDir)).length > 0) throw new Error("checkpoints appeared since the check; not locking");
          const r = await lockConfig(layout);
          if (!r.created) throw new Error(r.message);
          return r.message;
        },
      });
    }
    if (st.consistent) return result("pass", st.message, details);
    if (st.blocking) return result("fail", st.message, details);
    return result("warn", st.message, details);
  },
};
