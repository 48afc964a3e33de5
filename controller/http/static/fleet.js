// The fleet page: fetches api/fleet every few seconds and redraws the tables in place (no reload).
// Everything an agent sent (host ids, crash lines, reasons) is untrusted: it is only ever set with
// textContent or as a property, never parsed as HTML. No libraries, no build step.
"use strict";

const REFRESH_MS = 3000;
const DAY_MS = 86_400_000;
/** A crash younger than this marks its host's row. */
const RECENT_CRASH_MS = 15 * 60_000;
/** GPUs this hot are marked (most datacenter GPUs throttle from about 85-90 °C). */
const HOT_GPU_C = 85;
const PALETTE = ["#d1495b", "#edae49", "#00798c", "#30638e", "#8f5db7", "#4f9d69", "#c1666b", "#6c757d"];

/** Controller clock minus browser clock, from the last answer: ages are shown on the controller's clock. */
let skewMs = 0;
let lastOkMs = 0;
let failures = 0;

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function td(text, className) {
  return el("td", className, text);
}

function badge(text, tone) {
  return el("span", tone ? `badge ${tone}` : "badge", text);
}

function nowMs() {
  return Date.now() + skewMs;
}

function ago(tsMs) {
  if (!tsMs) return "never";
  const s = Math.round((nowMs() - tsMs) / 1000);
  if (s < -5) return "in the future";
  if (s < 60) return `${Math.max(0, s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

function when(tsMs) {
  return tsMs ? new Date(tsMs).toLocaleString() : "";
}

function gib(bytes) {
  return (bytes / 1024 ** 3).toFixed(bytes >= 100 * 1024 ** 3 ? 0 : 1);
}

function colorOf(category) {
  let h = 0;
  for (let i = 0; i < category.length; i++) h = (h * 31 + category.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

function daemonTone(state) {
  if (state === "running") return "ok";
  if (state === "restarting" || state === "starting") return "warn";
  if (state === "") return "";
  return "bad";
}

function withTitle(node, title) {
  node.title = title;
  return node;
}

function hostRow(h, view) {
  const tr = el("tr");
  tr.dataset.host = h.hostId;
  if (h.lastCrash && view.nowMs - h.lastCrash.tsMs < RECENT_CRASH_MS) tr.className = "recent-crash";
  tr.append(td(h.hostId), td(h.jobId || "–"));

  const agent = td();
  agent.append(h.connected ? badge("connected", "ok") : badge("offline", "bad"));
  if (!h.connected) agent.append(el("span", "sub", `seen ${ago(h.lastSeenMs)}`));
  if (h.agentVersion) agent.title = `agent ${h.agentVersion}`;
  tr.append(agent);

  const daemon = td();
  daemon.append(badge(h.daemonState || "unknown", daemonTone(h.daemonState)));
  if (!h.connected && h.daemonState) daemon.append(el("span", "sub", "last reported"));
  tr.append(daemon);

  tr.append(td(h.step >= 0 ? h.step.toLocaleString() : "–", "num"));
  tr.append(td(h.telemetryTsMs ? h.stepRate.toFixed(2) : "–", "num"));

  const gpus = td();
  if (h.gpuCount > 0) {
    const temp = el("span", h.gpuTempMaxC >= HOT_GPU_C ? "hot" : "", `max ${Math.round(h.gpuTempMaxC)} °C`);
    gpus.append(document.createTextNode(`${h.gpuCount} GPU${h.gpuCount === 1 ? "" : "s"} · `), temp);
    gpus.append(el("span", "sub", `${gib(h.gpuMemUsedBytes)} / ${gib(h.gpuMemTotalBytes)} GiB used`));
  } else gpus.textContent = "–";
  tr.append(gpus);

  tr.append(withTitle(td(h.telemetryTsMs ? ago(h.telemetryTsMs) : "none"), when(h.telemetryTsMs)));
  tr.append(td(h.crashes, "num"));

  const last = td();
  if (h.lastCrash) {
    const c = h.lastCrash;
    last.append(withTitle(el("span", "", `${ago(c.tsMs)} · ${c.kind === "hang" ? "hang: " : ""}${c.category || "unknown"}`), when(c.tsMs)));
    if (c.firstFatalLine) last.append(withTitle(el("span", "sub line", c.firstFatalLine), c.firstFatalLine));
  } else last.textContent = "–";
  tr.append(last);
  return tr;
}

function crashRow(c) {
  const tr = el("tr");
  tr.append(withTitle(td(ago(c.tsMs)), when(c.tsMs)), td(c.hostId));
  tr.append(td(c.kind === "hang" ? "hang" : "crash"));
  const cat = td();
  const sw = el("span", "swatch");
  sw.style.backgroundColor = colorOf(c.category);
  cat.append(sw, document.createTextNode(c.category || "unknown"));
  tr.append(cat);
  tr.append(td(c.firstFatalLine, "text line"), td(c.suggestion, "text"));
  return tr;
}

const ROLE_WORDS = { cause: "cause", possible_cause: "possible cause", symptom: "symptom" };

function memberWhat(m) {
  return m.kind === "hang" ? `hang: ${m.category || "unknown"}` : m.category || "unknown";
}

function incidentRow(i) {
  const tr = el("tr");
  tr.dataset.incident = i.incidentId;
  const whenCell = withTitle(td(ago(i.startMs)), when(i.startMs));
  if (i.open) whenCell.append(el("span", "sub", "window open"));
  tr.append(whenCell, td(i.jobId));

  const origin = td();
  origin.append(el("span", "", i.origin.hostId));
  if (!i.originKnown) origin.append(badge("origin unknown", "warn"));
  tr.append(origin);

  const cause = td();
  const sw = el("span", "swatch");
  sw.style.backgroundColor = colorOf(i.origin.category);
  cause.append(sw, document.createTextNode(memberWhat(i.origin)));
  if (i.origin.role === "possible_cause") cause.append(el("span", "sub", "possible cause"));
  if (i.origin.signature) cause.append(withTitle(el("span", "sub line", i.origin.signature), i.origin.signature));
  tr.append(cause);
  tr.append(withTitle(td(i.origin.firstFatalLine, "text line"), i.origin.firstFatalLine));

  const others = td(undefined, "text");
  for (const m of i.others) {
    const line = el("span", "sub", `${m.hostId}: ${memberWhat(m)} (${ROLE_WORDS[m.role] || m.role})`);
    if (m.firstFatalLine) line.title = m.firstFatalLine;
    others.append(line);
  }
  if (i.hostCount > 1 + i.others.length) others.append(el("span", "sub", `and ${i.hostCount - 1 - i.others.length} more`));
  if (i.others.length === 0) others.textContent = "–";
  tr.append(others);
  return tr;
}

function decisionRow(d) {
  const tr = el("tr");
  tr.append(withTitle(td(ago(d.decidedMs)), when(d.decidedMs)), td(d.hostId));
  const verdict = td();
  verdict.append(d.allow ? badge(d.coalesced ? "granted (shared)" : "granted", "ok") : badge("denied", "bad"));
  tr.append(verdict, td(d.scope), td(d.reason, "text"));
  return tr;
}

function breakerRow(b) {
  const tr = el("tr");
  tr.append(td(b.signature, "text line"), withTitle(td(ago(b.openedMs)), when(b.openedMs)));
  tr.append(td(b.hostIds.join(", "), "text"), td(b.reason, "text"));
  return tr;
}

function drawStrip(crashes, view) {
  const strip = $("strip");
  const dots = [];
  for (const c of crashes) {
    const age = view.nowMs - c.tsMs;
    if (age < 0 || age > DAY_MS) continue;
    const dot = el("span", "dot");
    dot.style.left = `${(100 * (DAY_MS - age)) / DAY_MS}%`;
    dot.style.backgroundColor = colorOf(c.category);
    dot.title = `${when(c.tsMs)} ${c.hostId}: ${c.category}`;
    dots.push(dot);
  }
  strip.replaceChildren(...dots);
}

function fill(tbodyId, emptyId, rows) {
  $(tbodyId).replaceChildren(...rows);
  $(emptyId).hidden = rows.length > 0;
}

function render(view) {
  $("sum-hosts").textContent = view.summary.hosts;
  $("sum-connected").textContent = view.summary.connected;
  $("sum-crashes").textContent = view.summary.crashes;
  $("sum-breakers").textContent = view.summary.openBreakers;
  $("sum-breakers-item").className = view.summary.openBreakers > 0 ? "alarm" : "";

  fill("host-rows", "hosts-empty", view.hosts.map((h) => hostRow(h, view)));
  fill("incident-rows", "incidents-empty", view.incidents.map(incidentRow));
  fill("crash-rows", "crashes-empty", view.crashes.map(crashRow));
  fill("decision-rows", "decisions-empty", view.decisions.map(decisionRow));
  $("breaker-rows").replaceChildren(...view.breakers.map(breakerRow));
  $("breakers").hidden = view.breakers.length === 0;
  drawStrip(view.crashes, view);
  $("footer").textContent = `trainsafe controller ${view.controllerVersion} · refreshes every ${REFRESH_MS / 1000} s · metrics at /metrics`;
}

function showStatus() {
  const s = $("status");
  if (failures === 0) {
    s.className = "status";
    s.textContent = `updated ${new Date(lastOkMs).toLocaleTimeString()}`;
  } else {
    s.className = "status error";
    s.textContent = `controller unreachable (${failures} tries); ${lastOkMs ? `data from ${new Date(lastOkMs).toLocaleTimeString()}` : "no data yet"}`;
  }
}

async function refresh() {
  try {
    const res = await fetch("api/fleet", { cache: "no-store", headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const view = await res.json();
    skewMs = view.nowMs - Date.now();
    render(view);
    lastOkMs = Date.now();
    failures = 0;
  } catch (err) {
    failures++;
    console.warn("fleet refresh failed:", err);
  }
  showStatus();
  // A chain of timeouts, not an interval: a slow controller never gets overlapping requests.
  setTimeout(refresh, REFRESH_MS);
}

refresh();
