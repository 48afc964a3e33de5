/** `trainsafe fleet top`: a live view of the fleet, redrawn every interval until Ctrl-C. */
import type { FleetClient } from "../../controller/rpc/fleet-client.js";
import type { BreakerView, HostSummary, StoredEvent } from "../../controller/domain.js";
import { inertJson, printable, renderHosts, when } from "./render.js";

export interface TopFrame {
  readonly nowMs: number;
  readonly hosts: readonly HostSummary[];
  readonly crashesLastHour: readonly StoredEvent[];
  readonly openBreakers: readonly BreakerView[];
}

/** Gathers one frame's data from the controller. */
export async function fetchFrame(client: FleetClient, nowMs = Date.now()): Promise<TopFrame> {
  const [hosts, crashes, budget] = await Promise.all([
    client.listHosts(),
    client.listCrashes({ sinceMs: nowMs - 3_600_000, limit: 1_000 }),
    client.budget(),
  ]);
  // Problems first: disconnected hosts, then daemons not running, then by name.
  const rank = (h: HostSummary) => (!h.connected ? 0 : h.daemonState !== "running" ? 1 : 2);
  const sorted = [...hosts].sort((a, b) => rank(a) - rank(b) || a.hostId.localeCompare(b.hostId));
  return { nowMs, hosts: sorted, crashesLastHour: crashes, openBreakers: budget.breakers.filter((b) => b.open) };
}

export function renderFrame(f: TopFrame): string {
  // Every field from the controller (log text among them) printable: no escape sequence reaches the terminal.
  f = printable(f);
  const connected = f.hosts.filter((h) => h.connected).length;
  const running = f.hosts.filter((h) => h.connected && h.daemonState === "running").length;
  const head = [
    `trainsafe fleet top  ${when(f.nowMs)}`,
    `${f.hosts.length} hosts, ${connected} connected, ${running} training; ${f.crashesLastHour.length} crash(es) in the last hour; ` +
      `${f.openBreakers.length} open breaker(s)${f.openBreakers.length ? ": " + f.openBreakers.map((b) => b.signature).join(", ") : ""}`,
    "",
  ];
  return head.join("\n") + renderHosts(f.hosts, f.nowMs);
}

export interface TopOptions {
  readonly intervalMs: number;
  readonly once: boolean;
  readonly json: boolean;
  readonly out?: NodeJS.WriteStream;
}

/** Draws frames until SIGINT/SIGTERM (or one frame with `once`). --json prints one JSON line per frame. */
export async function runTop(client: FleetClient, opts: TopOptions): Promise<void> {
  const out = opts.out ?? process.stdout;
  let stop = false;
  let wake: (() => void) | null = null;
  const onSignal = () => {
    stop = true;
    wake?.();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    for (;;) {
      const frame = await fetchFrame(client);
      if (opts.json) out.write(inertJson(frame) + "\n");
      else if (opts.once || !out.isTTY) out.write(renderFrame(frame) + (opts.once ? "" : "\n"));
      // Home + clear, then the frame: the terminal shows one frame at a time.
      else out.write("\x1b[H\x1b[2J" + renderFrame(frame));
      if (opts.once || stop) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.intervalMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
      if (stop) return;
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
