/** The fake nvidia-smi (test/fakes/nvidia-smi) from tests: a spec file and a PATH that finds it first. */
import fs from "node:fs";
import path from "node:path";
import { resetGpuFieldCache } from "../../agent/telemetry/gpu.js";

export const FAKES = path.resolve(import.meta.dirname, "..", "fakes");

/** Writes a fake nvidia-smi spec (see the script's header) into `dir`; returns its path. */
export function fakeSpec(dir: string, spec: Record<string, unknown>): string {
  const file = path.join(dir, `fake-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}

/** Runs `fn` with the fake nvidia-smi first on PATH and $FAKE_NVIDIA_SMI set, restoring both after. */
export async function withFake<T>(specFile: string, fn: () => Promise<T>): Promise<T> {
  const saved = { PATH: process.env.PATH, FAKE: process.env.FAKE_NVIDIA_SMI };
  process.env.PATH = `${FAKES}:${saved.PATH}`;
  process.env.FAKE_NVIDIA_SMI = specFile;
  resetGpuFieldCache();
  try {
    return await fn();
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.FAKE === undefined) delete process.env.FAKE_NVIDIA_SMI;
    else process.env.FAKE_NVIDIA_SMI = saved.FAKE;
  }
}
