/** Builds one telemetry sample: host metrics, GPUs (our own nvidia-smi query) and training progress. */
import type { Settings } from "../config/settings.js";
import { queryGpus } from "../telemetry/gpu.js";
import { HostSampler } from "../telemetry/host.js";
import { readStatus } from "../watchdog/progress.js";
import type { TelemetrySample } from "./types.js";

const MIB = 1024 * 1024;

/** Step rate from consecutive status reads: steps per second over the last interval that moved. */
export class StepRate {
  private last: { step: number; atMs: number } | null = null;
  rate = 0;

  update(step: number | null, nowMs: number): number {
    if (step === null) return this.rate;
    if (this.last && step < this.last.step) this.last = null; // a restart from an earlier checkpoint
    if (this.last && nowMs > this.last.atMs && step !== this.last.step) {
      this.rate = (step - this.last.step) / ((nowMs - this.last.atMs) / 1000);
      this.last = { step, atMs: nowMs };
    } else if (!this.last) {
      this.last = { step, atMs: nowMs };
    } else if (nowMs - this.last.atMs > 60_000) {
      // No step for a minute: the rate has dropped to zero, whatever it was.
      this.rate = 0;
    }
    return this.rate;
  }
}

/** Telemetry of one host: keeps what rates need between samples (CPU jiffies, the last step). */
export class TelemetryCollector {
  private readonly host = new HostSampler();
  private readonly stepRate = new StepRate();

  constructor(private readonly settings: Settings) {}

  /** One sample; every part that fails is left at its "unknown" value rather than failing the sample. */
  collect(daemonState: string, nowMs = Date.now()): Promise<TelemetrySample> {
    return collectTelemetry(this.settings, this.host, this.stepRate, daemonState, nowMs);
  }
}

async function collectTelemetry(settings: Settings, hostSampler: HostSampler, stepRate: StepRate, daemonState: string, nowMs: number): Promise<TelemetrySample> {
  const [host, gpu, status] = await Promise.all([
    hostSampler.sample(settings.layout.baseDir),
    queryGpus({ timeoutMs: settings.checks.checkTimeout, nvidiaSmi: settings.checks.nvidiaSmi }),
    readStatus(settings.layout.statusFile, settings.watchdog.phaseField),
  ]);
  const step = status.ok ? status.sample.step : null;
  return {
    tsMs: nowMs,
    cpuPct: host.cpuPct ?? 0,
    memUsedBytes: host.memUsedBytes ?? 0,
    memTotalBytes: host.memTotalBytes ?? 0,
    diskFreeBytes: host.diskFreeBytes ?? 0,
    gpus: gpu.available
      ? gpu.gpus.map((g) => ({
          index: g.index,
          utilPct: g.utilizationPct ?? 0,
          memUsedBytes: Math.round((g.memoryUsedMiB ?? 0) * MIB),
          memTotalBytes: Math.round((g.memoryTotalMiB ?? 0) * MIB),
          tempC: g.temperatureC ?? 0,
          powerW: g.powerW ?? 0,
        }))
      : [],
    step: step ?? -1,
    stepRate: Math.round(stepRate.update(step, nowMs) * 1000) / 1000,
    daemonState,
  };
}
