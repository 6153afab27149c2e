-- Sendline's PostgreSQL schema, version 1. Applied by io.sendline.schemas.db.Migrations (Flyway).
-- Never edit a migration once released: add V2__..., V3__... instead.
--
-- Conventions: ids are text (UUIDs or caller-chosen ids, as on the wire); times are timestamptz;
-- enumerations are text with a CHECK (easier to extend than PostgreSQL enum types); free-form
-- caller data (tags, metadata, variables) is jsonb.

-- One row per email (one recipient). Status only moves forward: writers upsert with
--   ON CONFLICT (job_id) DO UPDATE ... WHERE email_job.status_rank < EXCLUDED.status_rank
-- so late or replayed events never move a job backwards. The ranks are EmailEventType.rank().
CREATE TABLE email_job (
    job_id              text        PRIMARY KEY,
    type                text        NOT NULL CHECK (type IN ('TRANSACTIONAL', 'MARKETING')),
    pool                text        NOT NULL,
    to_address          text        NOT NULL,
    from_address        text        NOT NULL,
    template_id         text,
    template_version    integer     CHECK (template_version >= 1),
    campaign_id         text,
    status              text        NOT NULL,
    status_rank         smallint    NOT NULL,
    provider_message_id text,
    scheduled_at        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    tags                jsonb,
    metadata            jsonb,
    last_reason         text,
    attempt             integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    CONSTRAINT email_job_status_check CHECK (status IN (
        'QUEUED', 'SCHEDULED', 'DEFERRED', 'CANCELLED', 'SUPPRESSED', 'FAILED', 'SENT',
        'DELIVERED', 'BOUNCED', 'COMPLAINED')),
    -- The rank is derived from the status; keeping both lets the forward-only upsert compare
    -- integers, and this check keeps them from drifting apart.
    CONSTRAINT email_job_status_rank_check CHECK (status_rank = CASE status
        WHEN 'QUEUED' THEN 0
        WHEN 'SCHEDULED' THEN 1
        WHEN 'DEFERRED' THEN 2
        WHEN 'SENT' THEN 4
        WHEN 'CANCELLED' THEN 5
        WHEN 'SUPPRESSED' THEN 5
        WHEN 'FAILED' THEN 5
        WHEN 'DELIVERED' THEN 6
        WHEN 'BOUNCED' THEN 7
        WHEN 'COMPLAINED' THEN 8
    END)
);
CREATE INDEX email_job_campaign_idx ON email_job (campaign_id) WHERE campaign_id IS NOT NULL;
-- Relay webhooks that do not carry our job id are matched by the relay's message id.
CREATE INDEX email_job_provider_message_idx ON email_job (provider_message_id)
    WHERE provider_message_id IS NOT NULL;
-- Support look-ups and erasure requests by recipient.
CREATE INDEX email_job_to_address_idx ON email_job (to_address);
CREATE INDEX email_job_created_at_idx ON email_job (created_at);

-- Every version of every template; jobs may pin a version, so versions are never overwritten.
CREATE TABLE email_template (
    template_id text        NOT NULL,
    version     integer     NOT NULL CHECK (version >= 1),
    name        text,
    subject     text        NOT NULL,
    html        text        NOT NULL,
    text        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, version)
);

-- The suppression list, one row per normalised address (lower-cased, domain in punycode).
-- scope: ALL blocks every email, MARKETING only marketing (unsubscribes).
CREATE TABLE email_suppression (
    address  text        PRIMARY KEY CHECK (address LIKE '_%@_%'),
    reason   text        NOT NULL CHECK (reason IN (
        'HARD_BOUNCE', 'COMPLAINT', 'SOFT_BOUNCE_LIMIT', 'UNSUBSCRIBE', 'MANUAL')),
    scope    text        NOT NULL DEFAULT 'ALL' CHECK (scope IN ('ALL', 'MARKETING')),
    source   text,
    job_id   text,
    added_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT email_suppression_permanent_scope_check
        CHECK (reason NOT IN ('HARD_BOUNCE', 'COMPLAINT') OR scope = 'ALL')
);
CREATE INDEX email_suppression_added_at_idx ON email_suppression (added_at);

-- A hard bounce or a complaint is never removed nor weakened (the mailbox providers' rule).
-- The guard skips such a change rather than failing it, so that a streaming writer replaying an
-- unsubscribe after a bounce does not crash-loop; it is applied by the database, whoever writes.
CREATE FUNCTION email_suppression_keep_permanent() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.reason IN ('HARD_BOUNCE', 'COMPLAINT') THEN
        IF TG_OP = 'DELETE' THEN
            RETURN NULL;
        END IF;
        IF NEW.reason NOT IN ('HARD_BOUNCE', 'COMPLAINT') OR NEW.scope <> 'ALL'
                OR NEW.address <> OLD.address THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER email_suppression_keep_permanent
    BEFORE UPDATE OR DELETE ON email_suppression
    FOR EACH ROW EXECUTE FUNCTION email_suppression_keep_permanent();

-- Everything that happened to each email. event_id is the deduplication key: writers insert with
-- ON CONFLICT (event_id) DO NOTHING, so replays and duplicate webhooks are harmless.
CREATE TABLE email_event (
    event_id            text        PRIMARY KEY,
    job_id              text        NOT NULL,
    type                text        NOT NULL CHECK (type IN (
        'QUEUED', 'SCHEDULED', 'DEFERRED', 'CANCELLED', 'SUPPRESSED', 'FAILED', 'SENT',
        'DELIVERED', 'BOUNCED', 'COMPLAINED', 'OPENED', 'CLICKED', 'UNSUBSCRIBED')),
    provider            text,
    provider_message_id text,
    reason              text,
    occurred_at         timestamptz NOT NULL,
    recorded_at         timestamptz NOT NULL DEFAULT now(),
    data                jsonb
);
CREATE INDEX email_event_job_idx ON email_event (job_id, occurred_at);
CREATE INDEX email_event_occurred_at_idx ON email_event (occurred_at);

CREATE TABLE campaign (
    campaign_id      text        PRIMARY KEY,
    name             text        NOT NULL,
    template_id      text        NOT NULL,
    template_version integer     CHECK (template_version >= 1),
    pool             text        NOT NULL,
    from_address     text        NOT NULL,
    from_name        text,
    reply_to         text,
    -- Wall-clock time in each recipient's time zone; null sends as soon as launched.
    local_send_time  time,
    rate_per_minute  integer     NOT NULL CHECK (rate_per_minute > 0),
    tags             jsonb,
    metadata         jsonb,
    status           text        NOT NULL DEFAULT 'DRAFT' CHECK (status IN (
        'DRAFT', 'LAUNCHED', 'PAUSED', 'COMPLETED', 'CANCELLED')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    launched_at      timestamptz,
    completed_at     timestamptz
);
CREATE INDEX campaign_status_idx ON campaign (status) WHERE status IN ('LAUNCHED', 'PAUSED');

-- Recipients of a campaign. The expander reads pending rows in recipient_id order, in chunks,
-- and sets enqueued_at and job_id when it has enqueued one: a recipient is never enqueued twice,
-- even across restarts.
CREATE TABLE campaign_recipient (
    campaign_id  text        NOT NULL REFERENCES campaign (campaign_id) ON DELETE CASCADE,
    recipient_id text        NOT NULL,
    address      text        NOT NULL,
    time_zone    text,
    variables    jsonb,
    enqueued_at  timestamptz,
    job_id       text        UNIQUE,
    PRIMARY KEY (campaign_id, recipient_id)
);
CREATE INDEX campaign_recipient_pending_idx ON campaign_recipient (campaign_id, recipient_id)
    WHERE enqueued_at IS NULL;

-- Exactly-once hand-over to the relay: a job is CLAIMED by one operator attempt before it is
-- sent, then ACCEPTED (the relay took it) or FAILED. After a crash, a CLAIMED row without an
-- outcome is in doubt and is never sent blindly again.
CREATE TABLE send_ledger (
    job_id              text        PRIMARY KEY,
    attempt             integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    state               text        NOT NULL CHECK (state IN ('CLAIMED', 'ACCEPTED', 'FAILED')),
    relay               text,
    provider_message_id text,
    failure_reason      text,
    -- For FAILED: whether a later attempt may claim the job again.
    retryable           boolean     NOT NULL DEFAULT false,
    claimed_at          timestamptz NOT NULL DEFAULT now(),
    -- Flink operator attempt that claimed it (job id, subtask, attempt number).
    claimed_by          text,
    completed_at        timestamptz
);
CREATE INDEX send_ledger_in_doubt_idx ON send_ledger (claimed_at) WHERE state = 'CLAIMED';

-- Idempotent API calls: the same Idempotency-Key with the same request returns the first
-- response; with a different request (request_hash) it is refused.
CREATE TABLE api_idempotency (
    api_key_id      text        NOT NULL,
    idempotency_key text        NOT NULL,
    request_hash    text        NOT NULL,
    job_ids         text[]      NOT NULL DEFAULT '{}',
    status_code     integer,
    response        jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, idempotency_key)
);
-- Keys expire (e.g. after 24 h): the cleanup deletes by age.
CREATE INDEX api_idempotency_created_at_idx ON api_idempotency (created_at);

-- Attachment bytes, stored once by content hash; jobs carry only references (Attachment).
CREATE TABLE email_attachment (
    sha256       text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    filename     text        NOT NULL,
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size >= 0),
    content      bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Named apart from the column's own check (auto-named email_attachment_size_check).
    CONSTRAINT email_attachment_size_matches_content CHECK (size = octet_length(content))
);
