/** Required folders (requiredDirs(layout)) exist; `--fix` creates the missing ones, nothing else. The hf layout requires none. */
import { files as fsp } from "../lib/fs-mode.js";
import { effectiveProfile, requiredDirs } from "../config/layout.js";
import { describeError } from "../lib/errors.js";
import { result, type Check } from "./types.js";
import { rel } from "./util.js";

export const dirsCheck: Check = {
  id: "dirs",
  title: "required folders",
  async run({ settings }) {
    const { layout } = settings;
    const profile = await effectiveProfile(layout);
    const dirs = requiredDirs(layout, profile);
    if (dirs.length === 0) return result("skip", "hf layout: no folders required (queue/, inbox/, core/ are the seed layout's)", { required: [], missing: [], problems: [] });
    const missing: string[] = [];
    const wrong: string[] = [];
    await Promise.all(
      dirs.map(async (d) => {
        try {
          const st = await fsp.stat(d);
          if (!st.isDirectory()) wrong.push(`${rel(layout, d)} is not a folder`);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT") missing.push(d);
          else wrong.push(`${rel(layout, d)}: ${describeError(err)}`);
        }
      }),
    );
    missing.sort();
    const details = { required: dirs, missing, problems: wrong };
    if (missing.length === 0 && wrong.length === 0) return result("pass", `all ${dirs.length} folders present`, details);
    const parts = [...(missing.length ? [`missing: ${missing.map((d) => rel(layout, d)).join(", ")}`] : []), ...wrong];
    if (missing.length === 0) return result("fail", parts.join("; "), details);
    return result("fail", parts.join("; "), details, {
      description: `create ${missing.map((d) => rel(layout, d)).join(", ")}`,
      async apply() {
        for (const d of missing) await fsp.mkdir(d, { recursive: true });
        return `created ${missing.join(", ")}`;
      },
    });
  },
};
