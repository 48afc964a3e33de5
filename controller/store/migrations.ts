/**
 * Numbered schema steps. Step i (1-based) takes the database from user_version i-1 to i. Never edit
 * a shipped step: append a new one. Tables are STRICT so a wrongly typed bind fails loudly.
 */
export const MIGRATIONS: ReadonlyArray<string> = [
  // 1: initial schema
  `
  CREATE TABLE hosts (
    host_id           TEXT PRIMARY KEY,
    job_id            TEXT NOT NULL DEFAULT '',
    agent_version     TEXT NOT NULL DEFAULT '',
    capabilities_json TEXT NOT NULL DEFAULT '[]',
    base_dir          TEXT NOT NULL DEFAULT '',
    first_seen_ms     INTEGER NOT NULL,
    last_seen_ms      INTEGER NOT NULL,
    -- latest telemetry, kept here so listing hosts reads one row per host
    telemetry_ts_ms   INTEGER NOT NULL DEFAULT 0,
    daemon_state      TEXT NOT NULL DEFAULT '',
    step              INTEGER NOT NULL DEFAULT -1,
    step_rate         REAL NOT NULL DEFAULT 0,
    cpu_pct           REAL NOT NULL DEFAULT 0,
    mem_used_bytes    INTEGER NOT NULL DEFAULT 0,
    mem_total_bytes   INTEGER NOT NULL DEFAULT 0,
    disk_free_bytes   INTEGER NOT NULL DEFAULT 0,
    gpus_json         TEXT NOT NULL DEFAULT '[]'
  ) STRICT;

  CREATE TABLE events (
    uuid         TEXT PRIMARY KEY,
    host_id      TEXT NOT NULL REFERENCES hosts(host_id),
    job_id       TEXT NOT NULL,
    ts_ms        INTEGER NOT NULL,
    received_ms  INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    category     TEXT NOT NULL,
    signature    TEXT NOT NULL,
    message      TEXT NOT NULL,
    details_json TEXT NOT NULL,
    exit_code    INTEGER,
    signal       TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX events_ts ON events(ts_ms);
  CREATE INDEX events_host_ts ON events(host_id, ts_ms);
  CREATE INDEX events_host_kind_ts ON events(host_id, kind, ts_ms);

  CREATE TABLE crashes (
    uuid             TEXT PRIMARY KEY REFERENCES events(uuid) ON DELETE CASCADE,
    host_id          TEXT NOT NULL REFERENCES hosts(host_id),
    job_id           TEXT NOT NULL,
    ts_ms            INTEGER NOT NULL,
    category         TEXT NOT NULL,
    signature        TEXT NOT NULL,
    first_fatal_line TEXT NOT NULL,
    excerpt          TEXT NOT NULL,
    suggestion       TEXT NOT NULL,
    log_file         TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX crashes_ts ON crashes(ts_ms);
  CREATE INDEX crashes_host_ts ON crashes(host_id, ts_ms);
  CREATE INDEX crashes_category_ts ON crashes(category, ts_ms);

  CREATE TABLE restart_decisions (
    decision_id    TEXT PRIMARY KEY,
    request_id     TEXT NOT NULL UNIQUE,
    host_id        TEXT NOT NULL REFERENCES hosts(host_id),
    job_id         TEXT NOT NULL,
    signature      TEXT NOT NULL,
    category       TEXT NOT NULL,
    request_reason TEXT NOT NULL,
    local_restarts INTEGER NOT NULL,
    crash_uuid     TEXT NOT NULL,
    decided_ms     INTEGER NOT NULL,
    allow          INTEGER NOT NULL CHECK (allow IN (0, 1)),
    scope          TEXT NOT NULL CHECK (scope IN ('host', 'job', 'fleet', 'breaker')),
    reason         TEXT NOT NULL,
    delay_ms       INTEGER NOT NULL,
    grant_id       TEXT NOT NULL,
    coalesced      INTEGER NOT NULL CHECK (coalesced IN (0, 1))
  ) STRICT;
  CREATE INDEX decisions_ts ON restart_decisions(decided_ms);
  CREATE INDEX decisions_host_ts ON restart_decisions(host_id, decided_ms);
  CREATE INDEX decisions_job_ts ON restart_decisions(job_id, decided_ms);
  CREATE INDEX decisions_signature_ts ON restart_decisions(signature, decided_ms);
  -- the fleet rule reads only fresh grants; denials pile up in a storm and must not be scanned
  CREATE INDEX decisions_fresh_ts ON restart_decisions(decided_ms) WHERE allow = 1 AND coalesced = 0;

  CREATE TABLE breakers (
    signature     TEXT PRIMARY KEY,
    open          INTEGER NOT NULL CHECK (open IN (0, 1)),
    opened_ms     INTEGER NOT NULL,
    reset_ms      INTEGER NOT NULL,
    host_ids_json TEXT NOT NULL,
    reason        TEXT NOT NULL
  ) STRICT;

  CREATE TABLE health_runs (
    id          INTEGER PRIMARY KEY,
    host_id     TEXT NOT NULL REFERENCES hosts(host_id),
    ts_ms       INTEGER NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('command', 'event')),
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    problems    INTEGER NOT NULL,
    summary     TEXT NOT NULL,
    output_json TEXT NOT NULL
  ) STRICT;
  CREATE INDEX health_runs_host_ts ON health_runs(host_id, ts_ms);

  CREATE TABLE telemetry (
    host_id         TEXT NOT NULL REFERENCES hosts(host_id),
    ts_ms           INTEGER NOT NULL,
    cpu_pct         REAL NOT NULL,
    mem_used_bytes  INTEGER NOT NULL,
    mem_total_bytes INTEGER NOT NULL,
    disk_free_bytes INTEGER NOT NULL,
    step            INTEGER NOT NULL,
    step_rate       REAL NOT NULL,
    daemon_state    TEXT NOT NULL,
    gpus_json       TEXT NOT NULL
  ) STRICT;
  CREATE INDEX telemetry_ts ON telemetry(ts_ms);
  CREATE INDEX telemetry_host_ts ON telemetry(host_id, ts_ms);
  `,
  // 2: incidents (crashes of the hosts of one job grouped, with their origin; controller/incidents.ts).
  // Filled at ingest; crashes stored before this step are grouped when the controller starts.
  `
  CREATE TABLE incidents (
    -- internal: kept when an incident is regrouped, so that its member rows rarely need rewriting
    incident_key INTEGER PRIMARY KEY,
    -- public: the uuid of its first member
    incident_id  TEXT NOT NULL,
    job_id       TEXT NOT NULL,
    start_ms     INTEGER NOT NULL,
    end_ms       INTEGER NOT NULL,
    window_ms    INTEGER NOT NULL,
    origin_uuid  TEXT NOT NULL,
    origin_known INTEGER NOT NULL CHECK (origin_known IN (0, 1)),
    host_count   INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX incidents_job_start ON incidents(job_id, start_ms, incident_id);
  CREATE INDEX incidents_end ON incidents(end_ms);

  CREATE TABLE incident_members (
    uuid         TEXT PRIMARY KEY REFERENCES crashes(uuid) ON DELETE CASCADE,
    incident_key INTEGER NOT NULL REFERENCES incidents(incident_key) ON DELETE CASCADE,
    job_id       TEXT NOT NULL,
    host_id      TEXT NOT NULL,
    ts_ms        INTEGER NOT NULL,
    onset_ms     INTEGER NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('cause', 'possible_cause', 'symptom'))
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX incident_members_incident ON incident_members(incident_key, onset_ms, uuid);
  CREATE INDEX incident_members_host ON incident_members(host_id, incident_key);
  `,
  // 3: fewer index writes per crash (issue 12: a 5,000-agent burst's ingest and decisions). Each
  // index is a B-tree page written per row; these had no reader that needed them whole:
  // - events_host_ts: no query searches it (the per-host count scans every row of any index);
  // - events_host_kind_ts: read only for a host's local restarts, so it holds those rows alone;
  // - decisions_host_ts / decisions_job_ts: read only for grants (host rule) and fresh grants (job
  //   rule), while a storm's decisions are mostly denials.
  `
  DROP INDEX events_host_ts;
  DROP INDEX events_host_kind_ts;
  CREATE INDEX events_local_restart_host_ts ON events(host_id, ts_ms) WHERE kind = 'local_restart';
  DROP INDEX decisions_host_ts;
  CREATE INDEX decisions_grant_host_ts ON restart_decisions(host_id, decided_ms) WHERE allow = 1;
  DROP INDEX decisions_job_ts;
  CREATE INDEX decisions_fresh_job_ts ON restart_decisions(job_id, decided_ms) WHERE allow = 1 AND coalesced = 0;
  `,
];

/** Schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;
