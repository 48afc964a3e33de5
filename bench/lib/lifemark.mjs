// Preloaded into a daemon (`node --import bench/lib/lifemark.mjs ...`) by the restart-latency bench:
// appends "start PID MS" when the process begins running JavaScript and "exit PID MS" when it exits,
// to $LIFEMARK_FILE. The same marks for every supervisor compared (a bash loop, trainsafe), so the
// time from one daemon's exit to the next one's start is measured the same way for each.
import { appendFileSync } from "node:fs";

const file = process.env.LIFEMARK_FILE;
const now = () => (performance.timeOrigin + performance.now()).toFixed(1);
if (file) {
  appendFileSync(file, `start ${process.pid} ${now()}\n`);
  process.on("exit", () => appendFileSync(file, `exit ${process.pid} ${now()}\n`));
}
