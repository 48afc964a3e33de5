import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decideFleetRestart, type BreakerState, type FleetPolicy, type PastDecision } from "../controller/budget.js";

const MIN = 60_000;
const POLICY: FleetPolicy = {
  host: { maxRestarts: 3, windowMs: 5 * MIN, backoffInitialMs: 10_000, backoffMaxMs: 5 * MIN, healthyResetMs: 10 * MIN },
  jobCoalesceWindowMs: 2 * MIN,
  fleetMaxRestarts: 5,
  fleetWindowMs: 10 * MIN,
  breakerThreshold: 3,
  breakerWindowMs: 10 * MIN,
};
const T0 = 1_800_000_000_000;

interface Req {
  hostId: string;
  jobId: string;
  signature: string;
  crashUuid?: string;
}

/** Plays requests through the pure function, feeding every decision back like the store does. */
class Sim {
  decisions: Array<PastDecision & { scope: string; reason: string }> = [];
  breakers = new Map<string, BreakerState>();
  private n = 0;
  constructor(private policy: FleetPolicy = POLICY) {}

  ask(r: Req, atMs: number) {
    const out = decideFleetRestart(
      { ...r, decisions: this.decisions, localRestarts: [], breaker: this.breakers.get(r.signature) ?? null },
      this.policy,
      atMs,
    );
    if (out.tripBreaker) this.breakers.set(r.signature, { open: true, openedMs: atMs, resetMs: this.breakers.get(r.signature)?.resetMs ?? 0, reason: out.reason });
    const grantId = out.allow ? (out.coalescedInto ?? `g${++this.n}`) : "";
    this.decisions.push({ ...r, atMs, allow: out.allow, coalesced: out.coalescedInto !== null, grantId, delayMs: out.delayMs, scope: out.scope, reason: out.reason });
    return { ...out, grantId };
  }

  reset(signature: string, atMs: number) {
    const b = this.breakers.get(signature);
    if (b) this.breakers.set(signature, { ...b, open: false, resetMs: atMs });
  }
}

test("a first restart is granted at once by the host rule", () => {
  const d = new Sim().ask({ hostId: "h1", jobId: "", signature: "oom" }, T0);
  assert.equal(d.allow, true);
  assert.equal(d.scope, "host");
  assert.equal(d.delayMs, 0);
  assert.equal(d.coalescedInto, null);
});

test("per host: the fourth restart inside 5 minutes is denied with the time it could retry", () => {
  const sim = new Sim();
  const r = { hostId: "h1", jobId: "", signature: "" };
  assert.equal(sim.ask(r, T0).allow, true);
  const second = sim.ask(r, T0 + 30_000);
  assert.equal(second.allow, true);
  assert.equal(second.delayMs, 10_000, "second restart in a row waits the initial back-off");
  const third = sim.ask(r, T0 + 60_000);
  assert.equal(third.allow, true);
  assert.equal(third.delayMs, 20_000, "back-off doubles");
  const fourth = sim.ask(r, T0 + 90_000);
  assert.equal(fourth.allow, false);
  assert.equal(fourth.scope, "host");
  assert.match(fourth.reason, /3 restarts in the last 5m/);
  assert.equal(fourth.retryAtMs, T0 + 5 * MIN);
});

test("per job: hosts of one job failing together share the first host's grant", () => {
  const sim = new Sim();
  const a = sim.ask({ hostId: "a", jobId: "j", signature: "nccl" }, T0);
  const b = sim.ask({ hostId: "b", jobId: "j", signature: "nccl" }, T0 + 5_000);
  const c = sim.ask({ hostId: "c", jobId: "j", signature: "nccl" }, T0 + 9_000);
  assert.equal(a.allow && b.allow && c.allow, true);
  assert.equal(a.coalescedInto, null);
  assert.equal(b.coalescedInto, a.grantId);
  assert.equal(c.coalescedInto, a.grantId);
  assert.equal(b.scope, "job");
  assert.match(b.reason, new RegExp(`coalesced into grant ${a.grantId} given to a`));
  // Only one fresh grant: the fleet budget saw one restart.
  assert.equal(sim.decisions.filter((d) => d.allow && !d.coalesced).length, 1);
  // A job-wide failure is one failure unit: three hosts of one job do not trip a threshold-3 breaker.
  assert.equal(sim.breakers.size, 0);
});

test("per job: coalescing ends with the window, and a host joins a grant only once", () => {
  const sim = new Sim();
  const a = sim.ask({ hostId: "a", jobId: "j", signature: "" }, T0);
  const b1 = sim.ask({ hostId: "b", jobId: "j", signature: "" }, T0 + 1_000);
  assert.equal(b1.coalescedInto, a.grantId);
  const b2 = sim.ask({ hostId: "b", jobId: "j", signature: "" }, T0 + 20_000);
  assert.equal(b2.allow, true);
  assert.equal(b2.coalescedInto, null, "a second failure of b is a restart of its own");
  const late = sim.ask({ hostId: "c", jobId: "j", signature: "" }, T0 + 20_000 + 2 * MIN);
  assert.equal(late.coalescedInto, null, "outside the window the request is not part of an old grant");
});

test("a coalesced host waits until the grant's start time", () => {
  const sim = new Sim();
  const r = { hostId: "a", jobId: "j", signature: "" };
  sim.ask(r, T0);
  const second = sim.ask(r, T0 + 1_000); // back-off 10 s for a
  assert.equal(second.delayMs, 10_000);
  const b = sim.ask({ hostId: "b", jobId: "j", signature: "" }, T0 + 3_000);
  assert.equal(b.coalescedInto, second.grantId);
  assert.equal(b.delayMs, T0 + 1_000 + 10_000 - (T0 + 3_000));
});

test("fleet cap: the sixth fresh grant in the window is denied with a reason naming the cap", () => {
  const sim = new Sim();
  for (let i = 0; i < 5; i++) assert.equal(sim.ask({ hostId: `h${i}`, jobId: "", signature: "" }, T0 + i * 1_000).allow, true);
  const d = sim.ask({ hostId: "h9", jobId: "", signature: "" }, T0 + 6_000);
  assert.equal(d.allow, false);
  assert.equal(d.scope, "fleet");
  assert.match(d.reason, /fleet cap: 5 restarts granted fleet-wide in the last 10m \(limit 5\)/);
  assert.equal(d.retryAtMs, T0 + 10 * MIN);
  assert.equal(sim.ask({ hostId: "h9", jobId: "", signature: "" }, T0 + 10 * MIN).allow, true, "the oldest grant left the window");
});

test("breaker: the same signature from 3 hosts trips it fleet-wide; a reset re-arms it from zero", () => {
  const sim = new Sim();
  assert.equal(sim.ask({ hostId: "a", jobId: "", signature: "bad-image" }, T0).allow, true);
  assert.equal(sim.ask({ hostId: "b", jobId: "j2", signature: "bad-image" }, T0 + 1_000).allow, true);
  const trip = sim.ask({ hostId: "c", jobId: "", signature: "bad-image" }, T0 + 2_000);
  assert.equal(trip.allow, false);
  assert.equal(trip.scope, "breaker");
  assert.deepEqual(trip.tripBreaker?.hostIds, ["a", "b", "c"]);
  assert.match(trip.reason, /correlated failure: signature "bad-image" from 3 hosts/);
  // Every host, even a fresh one, is now denied for that signature; other signatures are not.
  const after = sim.ask({ hostId: "d", jobId: "", signature: "bad-image" }, T0 + 3_000);
  assert.equal(after.allow, false);
  assert.equal(after.scope, "breaker");
  assert.equal(after.retryAtMs, null);
  assert.match(after.reason, /fleet budget reset --signature "bad-image"/);
  assert.equal(sim.ask({ hostId: "e", jobId: "", signature: "other" }, T0 + 3_000).allow, true);
  sim.reset("bad-image", T0 + 4_000);
  assert.equal(sim.ask({ hostId: "d", jobId: "", signature: "bad-image" }, T0 + 5_000).allow, true, "requests before the reset no longer count");
});

test("breaker: after a reset, the hosts that waited on it restart; only new crashes count again", () => {
  const sim = new Sim({ ...POLICY, breakerThreshold: 2 });
  const sig = "disk-full";
  assert.equal(sim.ask({ hostId: "a", jobId: "", signature: sig, crashUuid: "crash-a1" }, T0).allow, true);
  const trip = sim.ask({ hostId: "b", jobId: "", signature: sig, crashUuid: "crash-b1" }, T0 + 1_000);
  assert.equal(trip.scope, "breaker");
  assert.equal(sim.ask({ hostId: "c", jobId: "", signature: sig, crashUuid: "crash-c1" }, T0 + 2_000).allow, false);
  sim.reset(sig, T0 + 3_000);
  // b and c retry for the crashes they had before the reset: both restart, the breaker stays closed.
  assert.equal(sim.ask({ hostId: "b", jobId: "", signature: sig, crashUuid: "crash-b1" }, T0 + 4_000).allow, true);
  assert.equal(sim.ask({ hostId: "c", jobId: "", signature: sig, crashUuid: "crash-c1" }, T0 + 5_000).allow, true);
  assert.equal(sim.breakers.get(sig)?.open, false);
  // New crashes of that signature after the reset count again: two hosts trip it once more.
  assert.equal(sim.ask({ hostId: "b", jobId: "", signature: sig, crashUuid: "crash-b2" }, T0 + 60_000).allow, true);
  const again = sim.ask({ hostId: "c", jobId: "", signature: sig, crashUuid: "crash-c2" }, T0 + 61_000);
  assert.equal(again.allow, false);
  assert.equal(again.scope, "breaker");
});

test("an empty signature never trips the breaker", () => {
  const sim = new Sim({ ...POLICY, fleetMaxRestarts: 100 });
  for (let i = 0; i < 10; i++) assert.equal(sim.ask({ hostId: `h${i}`, jobId: "", signature: "" }, T0 + i).allow, true);
});

test("restarts the agent did alone count against its host budget", () => {
  const local = [T0 - 60_000, T0 - 30_000, T0 - 10_000].map((atMs) => ({ atMs, delayMs: 0 }));
  const d = decideFleetRestart({ hostId: "h", jobId: "", signature: "", decisions: [], localRestarts: local, breaker: null }, POLICY, T0);
  assert.equal(d.allow, false);
  assert.equal(d.scope, "host");
});

// ---- properties over random request sequences ----

const reqArb = fc.record({
  host: fc.integer({ min: 0, max: 7 }),
  sig: fc.constantFrom("", "oom", "nccl", "img"),
  gapMs: fc.integer({ min: 0, max: 90_000 }),
});
// Hosts 0-3 run job j0, 4-5 job j1, 6-7 no job.
const jobOf = (h: number) => (h < 4 ? "j0" : h < 6 ? "j1" : "");

function play(reqs: Array<{ host: number; sig: string; gapMs: number }>) {
  const sim = new Sim();
  let t = T0;
  for (const r of reqs) {
    t += r.gapMs;
    sim.ask({ hostId: `h${r.host}`, jobId: jobOf(r.host), signature: r.sig }, t);
  }
  return sim;
}

test("property: fresh grants never exceed the fleet cap in any window", () => {
  fc.assert(
    fc.property(fc.array(reqArb, { maxLength: 80 }), (reqs) => {
      const fresh = play(reqs).decisions.filter((d) => d.allow && !d.coalesced);
      for (const d of fresh) {
        const inWindow = fresh.filter((x) => x.atMs <= d.atMs && d.atMs - x.atMs < POLICY.fleetWindowMs);
        assert.ok(inWindow.length <= POLICY.fleetMaxRestarts, `${inWindow.length} fresh grants in one window`);
      }
    }),
  );
});

test("property: no host restarts more than 3 times in any 5-minute window", () => {
  fc.assert(
    fc.property(fc.array(reqArb, { maxLength: 80 }), (reqs) => {
      const allowed = play(reqs).decisions.filter((d) => d.allow);
      for (const d of allowed) {
        const same = allowed.filter((x) => x.hostId === d.hostId && x.atMs <= d.atMs && d.atMs - x.atMs < POLICY.host.windowMs);
        assert.ok(same.length <= POLICY.host.maxRestarts, `${d.hostId}: ${same.length} restarts in one window`);
      }
    }),
  );
});

test("property: once a breaker trips, its signature gets no grant; coalesced grants point at a fresh grant of the job", () => {
  fc.assert(
    fc.property(fc.array(reqArb, { maxLength: 80 }), (reqs) => {
      const sim = play(reqs);
      const trippedAt = new Map<string, number>();
      for (const d of sim.decisions) {
        const t = trippedAt.get(d.signature);
        if (t !== undefined) assert.equal(d.allow, false, `signature ${d.signature} allowed after its breaker tripped`);
        if (d.scope === "breaker" && !trippedAt.has(d.signature)) trippedAt.set(d.signature, d.atMs);
        if (d.coalesced) {
          const g = sim.decisions.find((x) => x.grantId === d.grantId && !x.coalesced);
          assert.ok(g, "coalesced into an unknown grant");
          assert.equal(g.jobId, d.jobId);
          assert.notEqual(g.hostId, d.hostId);
          assert.ok(d.atMs - g.atMs < POLICY.jobCoalesceWindowMs);
        }
      }
    }),
  );
});

test("property: the decision is a pure function of its input", () => {
  fc.assert(
    fc.property(fc.array(reqArb, { maxLength: 40 }), reqArb, (history, next) => {
      const sim = play(history);
      const input = { hostId: `h${next.host}`, jobId: jobOf(next.host), signature: next.sig, decisions: sim.decisions, localRestarts: [], breaker: sim.breakers.get(next.sig) ?? null };
      const t = T0 + 10 * MIN;
      assert.deepEqual(decideFleetRestart(input, POLICY, t), decideFleetRestart(structuredClone(input), POLICY, t));
    }),
  );
});
