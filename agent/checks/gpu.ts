/**
 * GPUs through nvidia-smi: count, temperature, memory, uncorrectable ECC errors, row remapping and
 * throttle reasons. No nvidia-smi on PATH is "skip" unless checks.expectGpus says GPUs must be there.
 */
import { pciGpus, queryGpus, throttleSeverity, type GpuQueryResult, type GpuSample, type PciGpusResult } from "../telemetry/gpu.js";
import { result, worst, type Check, type CheckResult, type CheckStatus } from "./types.js";

/** A GPU this close to the temperature limit is a warning. */
export const GPU_TEMP_WARN_MARGIN_C = 5;

export interface GpuPolicy {
  readonly expectGpus: boolean;
  readonly expectedGpuCount: number | undefined;
  readonly maxGpuTemperatureC: number;
}

function mib(n: number | null): string {
  return n === null ? "?" : `${+(n / 1024).toFixed(1)}`;
}

/**
 * Judges one nvidia-smi answer against the policy (pure: unit-tested on real output shapes). `pci`,
 * when lspci answered, is the NVIDIA GPUs on the bus: more there than nvidia-smi lists means a GPU
 * the driver lost (Xid 79, "fallen off the bus").
 */
export function evaluateGpus(q: GpuQueryResult, policy: GpuPolicy, pci?: PciGpusResult): CheckResult {
  if (!q.available) {
    const onBus = pci?.available ? pci.gpus.length : 0;
    if (q.cause === "not_found" && onBus > 0) {
      return result("fail", `${onBus} NVIDIA GPU${onBus === 1 ? "" : "s"} on the PCI bus but ${q.reason} (driver utilities not installed?)`, { cause: q.cause });
    }
    if (q.cause === "not_found" && !policy.expectGpus) return result("skip", `no GPUs to check: ${q.reason}`);
    return result("fail", q.reason, { cause: q.cause });
  }
  let status: CheckStatus = "pass";
  const findings: string[] = [];
  const add = (s: CheckStatus, text: string) => {
    status = worst(status, s);
    findings.push(text);
  };
  const n = q.gpus.length;
  const expected = policy.expectedGpuCount;
  if (expected !== undefined && n < expected) add("fail", `${n} of ${expected} expected GPUs visible`);
  else if (expected !== undefined && n > expected) add("warn", `${n} GPUs visible, ${expected} expected`);
  else if (n === 0 && (policy.expectGpus || expected === undefined)) add("fail", "nvidia-smi sees no GPUs");
  if (pci?.available && pci.gpus.length > n) {
    add("fail", `${pci.gpus.length} NVIDIA GPUs on the PCI bus but nvidia-smi lists ${n} (a GPU fell off the bus or its driver failed)`);
  }

  for (const g of q.gpus) {
    const at = `GPU ${g.index}`;
    if (g.temperatureC !== null) {
      if (g.temperatureC >= policy.maxGpuTemperatureC) add("fail", `${at} at ${g.temperatureC}°C (limit ${policy.maxGpuTemperatureC}°C)`);
      else if (g.temperatureC >= policy.maxGpuTemperatureC - GPU_TEMP_WARN_MARGIN_C) add("warn", `${at} at ${g.temperatureC}°C (limit ${policy.maxGpuTemperatureC}°C)`);
    }
    if (g.eccUncorrected !== null && g.eccUncorrected > 0) add("fail", `${at} has ${g.eccUncorrected} uncorrectable ECC errors since the driver loaded (reset or drain the GPU)`);
    if (g.remappedFailure === true) add("fail", `${at} had a row-remapping failure (hardware needs replacing)`);
    if (g.remappedPending === true) add("warn", `${at} has row remapping pending (needs a GPU reset)`);
    if (g.retiredPagesPending === true) add("warn", `${at} has pages pending retirement (needs a GPU reset)`);
    const bad = g.throttleReasons.filter((r) => throttleSeverity(r) !== "ok");
    if (bad.length > 0) {
      const sev = bad.some((r) => throttleSeverity(r) === "fail") ? "fail" : "warn";
      add(sev, `${at} clocks throttled: ${bad.join(", ")}`);
    }
    if (g.memoryUsedMiB !== null && g.memoryTotalMiB !== null && g.memoryTotalMiB > 0 && g.memoryUsedMiB > g.memoryTotalMiB) {
      add("warn", `${at} reports ${g.memoryUsedMiB} MiB used of ${g.memoryTotalMiB} MiB`);
    }
  }
  for (const p of q.problems) add("warn", p);

  const temps = q.gpus.map((g) => g.temperatureC).filter((t): t is number => t !== null);
  // One unknown reading makes the sum unknown rather than quietly low.
  const sum = (pick: (g: GpuSample) => number | null) => (q.gpus.some((g) => pick(g) === null) ? null : q.gpus.reduce((s, g) => s + pick(g)!, 0));
  const usedMiB = sum((g) => g.memoryUsedMiB);
  const totalMiB = sum((g) => g.memoryTotalMiB);
  const names = [...new Set(q.gpus.map((g) => g.name ?? "?"))].join(", ");
  const summary =
    n === 0
      ? "0 GPUs"
      : `${n} GPU${n === 1 ? "" : "s"} (${names}), max ${temps.length ? `${Math.max(...temps)}°C` : "?°C"}, memory ${mib(usedMiB)}/${mib(totalMiB)} GiB used`;
  const message = findings.length ? `${findings.join("; ")} — ${summary}` : summary;
  const pciDetails = pci === undefined ? {} : { pci: pci.available ? pci.gpus : { unavailable: pci.reason } };
  return result(status, message, { gpus: q.gpus, unsupportedFields: q.unsupportedFields, fields: q.fields, ...pciDetails });
}

export const gpuCheck: Check = {
  id: "gpu",
  title: "GPUs (nvidia-smi)",
  async run({ settings, signal }) {
    const c = settings.checks;
    // lspci is optional (often not installed in containers): without it the PCI cross-check is left out.
    const [q, pci] = await Promise.all([
      queryGpus({ timeoutMs: c.checkTimeout, nvidiaSmi: c.nvidiaSmi, signal }),
      pciGpus({ timeoutMs: c.checkTimeout, lspci: c.lspci, signal }),
    ]);
    return evaluateGpus(q, { expectGpus: c.expectGpus, expectedGpuCount: c.expectedGpuCount, maxGpuTemperatureC: c.maxGpuTemperatureC }, pci);
  },
};
