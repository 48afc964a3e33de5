/**
 * A fleet larger than one controller: each controller owns the jobs whose agents point at it, and the
 * fleet CLI asks several at once (`--controller a,b`) and merges their answers. Budgets stay right
 * only while a job never spans controllers (each controller decides alone; there is no consensus
 * between them, by design), so a job seen on two controllers is reported wherever the merged answers
 * show it.
 */
import { EXIT_CODE, TrainsafeError } from "../../agent/lib/errors.js";
import type { HostSummary, StoredEvent } from "../../controller/domain.js";

/** One controller's answer, or why it gave none. */
export type ControllerAnswer<T> =
  | { readonly controller: string; readonly ok: true; readonly value: T }
  | { readonly controller: string; readonly ok: false; readonly error: Error };

/** Asks every controller in parallel; a failure of one is kept as its answer, never thrown. */
export async function askEach<T>(controllers: readonly string[], ask: (controller: string) => Promise<T>): Promise<ControllerAnswer<T>[]> {
  return Promise.all(
    controllers.map(async (controller): Promise<ControllerAnswer<T>> => {
      try {
        return { controller, ok: true, value: await ask(controller) };
      } catch (err) {
        return { controller, ok: false, error: err instanceof Error ? err : new Error(String(err)) };
      }
    }),
  );
}

/** The answers that came, or the first failure when none did (it decides the exit code). */
export function answered<T>(answers: ReadonlyArray<ControllerAnswer<T>>): Array<{ controller: string; value: T }> {
  const ok = answers.filter((a): a is Extract<ControllerAnswer<T>, { ok: true }> => a.ok);
  if (ok.length === 0) {
    const first = answers.find((a): a is Extract<ControllerAnswer<T>, { ok: false }> => !a.ok);
    if (first) throw first.error;
  }
  return ok.map((a) => ({ controller: a.controller, value: a.value }));
}

/** One line per controller that did not answer (for stderr). */
export function failureLines<T>(answers: ReadonlyArray<ControllerAnswer<T>>): string[] {
  return answers.filter((a) => !a.ok).map((a) => `controller ${a.controller}: ${(a as { error: Error }).error.message}`);
}

/** The exit code the failures call for: 3 (unreachable) when any controller did not answer, else null. */
export function failureExitCode<T>(answers: ReadonlyArray<ControllerAnswer<T>>): number | null {
  const failed = answers.filter((a) => !a.ok) as Array<{ error: Error }>;
  if (failed.length === 0) return null;
  // Refused credentials or a bad address are the operator's to fix (2) before an absent controller (3).
  const usage = failed.find((f) => f.error instanceof TrainsafeError && EXIT_CODE[f.error.kind] === 2);
  return usage ? 2 : 3;
}

/** A job whose hosts report to more than one controller: its restart budget is split. */
export interface SplitJob {
  readonly jobId: string;
  readonly controllers: readonly string[];
  readonly hostIds: readonly string[];
}

/** Jobs seen on more than one controller (hosts without a job are their own budget and never split). */
export function splitJobs(perController: ReadonlyArray<{ controller: string; jobIds: ReadonlyArray<{ jobId: string; hostId: string }> }>): SplitJob[] {
  const seen = new Map<string, { controllers: Set<string>; hosts: Set<string> }>();
  for (const { controller, jobIds } of perController) {
    for (const { jobId, hostId } of jobIds) {
      if (!jobId) continue;
      const entry = seen.get(jobId) ?? { controllers: new Set<string>(), hosts: new Set<string>() };
      entry.controllers.add(controller);
      entry.hosts.add(hostId);
      seen.set(jobId, entry);
    }
  }
  return [...seen.entries()]
    .filter(([, e]) => e.controllers.size > 1)
    .map(([jobId, e]) => ({ jobId, controllers: [...e.controllers].sort(), hostIds: [...e.hosts].sort() }))
    .sort((a, b) => a.jobId.localeCompare(b.jobId));
}

/** The warning printed for each split job. */
export function splitJobLine(s: SplitJob): string {
  return `job ${s.jobId} is seen on ${s.controllers.length} controllers (${s.controllers.join(", ")}; hosts ${s.hostIds.join(", ")}): each controller budgets its part alone, so the job's restart budget and breaker do not hold. Point every agent of a job at one controller.`;
}

/** Hosts of every controller, each tagged with the controller that knows it, sorted by host id. */
export function mergeHosts(answers: ReadonlyArray<{ controller: string; value: readonly HostSummary[] }>): Array<HostSummary & { controller: string }> {
  return answers
    .flatMap((a) => a.value.map((h) => ({ ...h, controller: a.controller })))
    .sort((a, b) => a.hostId.localeCompare(b.hostId) || a.controller.localeCompare(b.controller));
}

/** Events (or crashes) of every controller, newest first, at most `limit`. */
export function mergeEvents(answers: ReadonlyArray<{ controller: string; value: readonly StoredEvent[] }>, limit: number): Array<StoredEvent & { controller: string }> {
  return answers
    .flatMap((a) => a.value.map((e) => ({ ...e, controller: a.controller })))
    .sort((a, b) => b.tsMs - a.tsMs || a.uuid.localeCompare(b.uuid))
    .slice(0, limit);
}
