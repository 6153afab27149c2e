-- Sendline's PostgreSQL schema, version 2: cheaper status writes on email_job.
--
-- The send pipeline moves every email_job row from QUEUED to SENT (and the edge inserts it first
-- for API mail). That update sets provider_message_id, which email_job_provider_message_idx
-- indexed, so it could never be a HOT update: every SENT wrote a new entry into all five indexes
-- of the table. No query uses that index (webhooks find the job by the job id every relay
-- carries; the edge reads rows by job_id; the relay's message id is also in send_ledger and
-- email_event), so it goes. With it gone, a status update changes no indexed column.
--
-- A HOT update also needs room on the row's own page; fillfactor 60 leaves it (new pages only).
-- Measured with bench io.sendline.bench.pg.PgWriteCost (750 emails/s, QUEUED and SENT in separate
-- batches): 72 % of the SENT updates HOT instead of 0 %, PostgreSQL CPU for the two status writes
-- 57 -> 39 us per email, WAL 1,535 -> 1,042 bytes per email, table size unchanged (the HOT updates
-- leave no dead index entries behind). docs/send-pipeline.md, "PostgreSQL writes".
--
-- to_address and created_at stay indexed (look-ups and erasure by recipient, clean-up by age),
-- although nothing queries them yet: they are never updated, so they do not stop HOT updates.
DROP INDEX email_job_provider_message_idx;
ALTER TABLE email_job SET (fillfactor = 60);
