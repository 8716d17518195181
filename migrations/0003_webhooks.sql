-- Webhook plane: every received webhook, accepted session updates (the exactly-once arbiter
-- and the call history), one row per call, CDRs, and dead letters.
-- Enumerations match src/webhooks/{direction,call_state}.hpp and src/cdr/record.hpp.

-- One row per webhook request, whatever happened to it; the admin API lists these.
CREATE TABLE webhook_events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- NULL when the request was rejected before a tenant was identified.
    tenant_id   uuid REFERENCES tenants (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('session_update', 'cdr')),
    -- The element's key for single-element bodies; NULL for rejects and multi-element arrays.
    dedupe_key  text,
    outcome     text NOT NULL
                CHECK (outcome IN ('processed', 'duplicate', 'rejected', 'dead_lettered')),
    http_status smallint NOT NULL CHECK (http_status BETWEEN 100 AND 599),
    error       text,
    request_id  text,
    duration_ms integer CHECK (duration_ms >= 0),
    -- No body: a processed payload is kept in session_events.raw or cdrs.raw (found by
    -- dedupe_key), an unprocessable one in dead_letters, and a rejected one nowhere.
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhook_events_tenant_received_idx
    ON webhook_events (tenant_id, received_at DESC, id DESC);
-- Rejected requests with no tenant, for operators chasing misconfigured senders.
CREATE INDEX webhook_events_untenanted_received_idx
    ON webhook_events (received_at DESC) WHERE tenant_id IS NULL;

-- One row per accepted session update. INSERT ... ON CONFLICT (tenant_id, dedupe_key)
-- DO NOTHING decides exactly-once: no row inserted means a duplicate delivery.
-- This is also the call history (every status, known or not, in or out of order), so there is
-- no separate call_history table: history is
--   SELECT status, coalesce(modified_at, received_at) AS at FROM session_events
--   WHERE tenant_id = $1 AND session_token = $2 ORDER BY at, received_at.
CREATE TABLE session_events (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_token text NOT NULL CHECK (char_length(session_token) BETWEEN 1 AND 256),
    dedupe_key    text NOT NULL CHECK (char_length(dedupe_key) BETWEEN 1 AND 300),
    status        text,
    raw           jsonb NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    modified_at   timestamptz,
    CONSTRAINT session_events_dedupe_key UNIQUE (tenant_id, dedupe_key)
);

CREATE INDEX session_events_session_idx
    ON session_events (tenant_id, session_token, received_at);

-- One row per call (Cloudonix session), kept current by session updates and closed by the CDR.
-- status_rank is webhooks::status_rank(last_status); the forward-only rule in one statement:
--   INSERT ... ON CONFLICT (tenant_id, session_token) DO UPDATE SET
--     last_status = CASE WHEN calls.status_rank < excluded.status_rank
--                        THEN excluded.last_status ELSE calls.last_status END, (same for state,
--     status_rank), started_at = coalesce(calls.started_at, excluded.started_at), ...
CREATE TABLE calls (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_token text NOT NULL CHECK (char_length(session_token) BETWEEN 1 AND 256),
    direction     text NOT NULL DEFAULT 'unknown'
                  CHECK (direction IN ('inbound', 'outbound', 'internal', 'unknown')),
    from_number   text,
    to_number     text,
    state         text NOT NULL DEFAULT 'initiated'
                  CHECK (state IN ('initiated', 'ringing', 'connected', 'completed', 'no_answer',
                                   'busy', 'cancelled', 'failed', 'other')),
    last_status   text,
    status_rank   smallint NOT NULL DEFAULT -1 CHECK (status_rank BETWEEN -1 AND 4),
    started_at    timestamptz,
    answered_at   timestamptz,
    ended_at      timestamptz,
    domain        text,
    subscriber    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calls_session_key UNIQUE (tenant_id, session_token),
    -- Terminal statuses (rank 4) and only they leave the live states.
    CONSTRAINT calls_state_matches_rank CHECK (
        (status_rank = 4) = (state NOT IN ('initiated', 'ringing', 'connected')))
);

-- Live calls: query with "status_rank < 4" so that this partial index applies.
CREATE INDEX calls_active_idx
    ON calls (tenant_id, created_at DESC, id DESC) WHERE status_rank < 4;

-- One row per call from the CDR webhook, the final record of a call.
CREATE TABLE cdrs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- Also the dedupe key (cdr::CdrRecord::dedupe_key): one CDR per call.
    session_token   text NOT NULL CHECK (char_length(session_token) BETWEEN 1 AND 256),
    call_id         text,
    -- NOT NULL for keyset pagination; when the CDR carries no start time, store received_at.
    started_at      timestamptz NOT NULL,
    answered_at     timestamptz,
    ended_at        timestamptz,
    from_number     text NOT NULL DEFAULT '',
    to_number       text NOT NULL DEFAULT '',
    direction       text NOT NULL DEFAULT 'unknown'
                    CHECK (direction IN ('inbound', 'outbound', 'internal', 'unknown')),
    disposition     text NOT NULL
                    CHECK (disposition IN ('answered', 'busy', 'no_answer', 'cancelled',
                                           'failed', 'other')),
    disposition_raw text,
    duration        bigint NOT NULL DEFAULT 0 CHECK (duration >= 0),
    billsec         bigint NOT NULL DEFAULT 0 CHECK (billsec >= 0),
    answered        boolean NOT NULL DEFAULT false,
    -- Unconstrained precision: rates come in fractions of a cent.
    cost            numeric,
    -- No foreign keys: a CDR is history and outlives the extension or ring group it names.
    extension_id    uuid,
    ring_group_id   uuid,
    domain          text,
    raw             jsonb NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cdrs_session_key UNIQUE (tenant_id, session_token)
);

-- Listing and date ranges: ORDER BY started_at DESC, id DESC with the keyset
-- "(started_at, id) < ($cursor_started_at, $cursor_id)".
CREATE INDEX cdrs_tenant_started_idx ON cdrs (tenant_id, started_at DESC, id DESC);
CREATE INDEX cdrs_tenant_disposition_started_idx
    ON cdrs (tenant_id, disposition, started_at DESC, id DESC);
CREATE INDEX cdrs_tenant_direction_started_idx
    ON cdrs (tenant_id, direction, started_at DESC, id DESC);
-- Number or prefix filters: "from_number LIKE $1" with the prefix's % and _ escaped and a
-- trailing %; text_pattern_ops makes LIKE 'prefix%' an index range whatever the collation.
CREATE INDEX cdrs_tenant_from_idx ON cdrs (tenant_id, from_number text_pattern_ops);
CREATE INDEX cdrs_tenant_to_idx ON cdrs (tenant_id, to_number text_pattern_ops);
CREATE INDEX cdrs_tenant_extension_started_idx
    ON cdrs (tenant_id, extension_id, started_at DESC, id DESC) WHERE extension_id IS NOT NULL;

-- Authenticated payloads that could not be processed, kept for inspection and replay.
CREATE TABLE dead_letters (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Only authenticated senders are dead-lettered, so the tenant is always known.
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('session_update', 'cdr')),
    -- The body as received (possibly invalid JSON), made storable by webhooks::storable_text.
    body           text NOT NULL,
    error          text NOT NULL,
    request_id     text,
    received_at    timestamptz NOT NULL DEFAULT now(),
    replayed_at    timestamptz,
    replay_outcome text CHECK (replay_outcome IN ('processed', 'duplicate', 'failed')),
    replay_error   text,
    CONSTRAINT dead_letters_replay_complete
        CHECK ((replayed_at IS NULL) = (replay_outcome IS NULL))
);

CREATE INDEX dead_letters_tenant_received_idx
    ON dead_letters (tenant_id, received_at DESC, id DESC);
