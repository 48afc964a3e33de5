/**
 * Connected agents: one session per open stream, at most one per host (a new hello replaces the old
 * stream). Fleet commands are relayed down a host's stream and answered by the agent's
 * CommandResult with the same id; nobody waits past the deadline, and a stream that ends answers
 * its pending commands with "disconnected".
 */
import { randomUUID } from "node:crypto";
import type { CommandAnswer, CommandArgs, CommandKind, CommandOutcome, Hello } from "./domain.js";
import { timerDelayMs } from "../agent/lib/units.js";
import type { Logger } from "./log.js";

/** What the service layer gives a session to reach its stream. */
export interface AgentLink {
  sendCommand(cmd: { commandId: string; kind: CommandKind; args: CommandArgs; deadlineMs: number }): void;
  /**
   * Ends the stream: "aborted" when a newer stream of the same host replaced it, "unavailable" when
   * the controller stops (the agent reconnects with back-off either way).
   */
  close(reason: string, code: "aborted" | "unavailable"): void;
  /** Tells the agent the restart budget changed (breakers closed): a waiting agent asks again now. */
  budgetChanged(signatures: readonly string[], reason: string): void;
}

interface Pending {
  readonly kind: CommandKind;
  readonly startedMs: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (answer: CommandAnswer) => void;
}

export class Session {
  readonly id = randomUUID();
  readonly pending = new Map<string, Pending>();
  closed = false;

  constructor(
    readonly hello: Hello,
    readonly link: AgentLink,
    readonly connectedMs: number,
  ) {}

  get hostId(): string {
    return this.hello.hostId;
  }
}

const failed = (error: string): CommandAnswer => ({ ok: false, outputJson: "", error, summary: error, problems: 0 });

export class SessionRegistry {
  private readonly byHost = new Map<string, Session>();
  private readonly clock: () => number;

  constructor(
    private readonly log: Logger,
    opts: { clock?: () => number } = {},
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  /** Registers the stream of a host that said hello; an older stream of the host is closed. */
  open(hello: Hello, link: AgentLink): Session {
    const old = this.byHost.get(hello.hostId);
    const session = new Session(hello, link, this.clock());
    this.byHost.set(hello.hostId, session);
    if (old) {
      this.log.info("agent reconnected; closing its older stream", { host: hello.hostId });
      this.end(old, "replaced by a newer stream of the same host");
      old.link.close("replaced by a newer stream of the same host", "aborted");
    }
    return session;
  }

  /** Forgets a session whose stream ended; its pending commands answer "disconnected". */
  close(session: Session, reason = "agent disconnected"): void {
    if (this.byHost.get(session.hostId) === session) this.byHost.delete(session.hostId);
    this.end(session, reason);
  }

  private end(session: Session, reason: string): void {
    if (session.closed) return;
    session.closed = true;
    for (const [id, p] of session.pending) {
      clearTimeout(p.timer);
      session.pending.delete(id);
      p.resolve(failed(reason));
    }
  }

  /** Closes every stream (controller stopping). */
  closeAll(reason: string): void {
    for (const s of [...this.byHost.values()]) {
      this.close(s, reason);
      s.link.close(reason, "unavailable");
    }
  }

  /**
   * Tells every connected agent that the budget changed (an operator closed breakers), so hosts
   * waiting for a grant ask again at once instead of polling; returns how many were told.
   */
  budgetChanged(signatures: readonly string[], reason: string): number {
    let told = 0;
    for (const s of this.byHost.values()) {
      try {
        s.link.budgetChanged(signatures, reason);
        told++;
      } catch (err) {
        this.log.warn("cannot tell an agent that the budget changed", { host: s.hostId, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return told;
  }

  isConnected(hostId: string): boolean {
    return this.byHost.has(hostId);
  }

  get size(): number {
    return this.byHost.size;
  }

  /**
   * Sends a command to the host's agent and resolves with its answer, "not connected", "timed out"
   * or "disconnected". Never rejects.
   */
  command(hostId: string, kind: CommandKind, args: CommandArgs, timeoutMs: number): Promise<CommandOutcome> {
    const startedMs = this.clock();
    const session = this.byHost.get(hostId);
    if (!session) {
      return Promise.resolve({ hostId, connected: false, durationMs: 0, ...failed("not connected") });
    }
    const commandId = randomUUID();
    return new Promise<CommandOutcome>((resolve) => {
      const finish = (answer: CommandAnswer) =>
        resolve({ hostId, connected: true, durationMs: Math.max(0, this.clock() - startedMs), ...answer });
      const timer = setTimeout(() => {
        session.pending.delete(commandId);
        finish(failed(`timed out after ${timeoutMs}ms`));
      }, timerDelayMs(timeoutMs));
      session.pending.set(commandId, { kind, startedMs, timer, resolve: finish });
      try {
        session.link.sendCommand({ commandId, kind, args, deadlineMs: startedMs + timeoutMs });
      } catch (err) {
        clearTimeout(timer);
        session.pending.delete(commandId);
        finish(failed(`cannot send to the agent: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  }

  /** Delivers an agent's answer; false when nobody waits for it (late, unknown, or another stream's). */
  answer(session: Session, commandId: string, answer: CommandAnswer): { kind: CommandKind } | null {
    const p = session.pending.get(commandId);
    if (!p) return null;
    clearTimeout(p.timer);
    session.pending.delete(commandId);
    p.resolve(answer);
    return { kind: p.kind };
  }
}
