package io.sendline.edge.db;

import io.sendline.edge.http.ApiException;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.Json;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records accepted emails in PostgreSQL before they are published: one {@code email_job} row per
 * job with status QUEUED (so {@code GET /v1/emails/{id}} answers at once), attachments by content
 * hash, and the Idempotency-Key claim, all in one transaction.
 *
 * <p>Why a writer thread: one transaction per HTTP call would cap the API at the database's commit
 * rate. Writer threads take whatever calls are waiting (group commit, like Kafka's linger) and
 * write them with one statement per table ({@code unnest} of arrays), so a commit costs the same
 * for 1 or 2,000 jobs. Callers get a future and never wait on a thread of their own.
 */
public final class AcceptWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptWriter.class);

    /** Most jobs written in one transaction. */
    static final int MAX_JOBS_PER_TX = 4_000;

    private static final String CLAIM =
            "INSERT INTO api_idempotency (api_key_id, idempotency_key, request_hash, job_ids,"
                    + " status_code, response, created_at)"
                    + " SELECT k, i, h, string_to_array(j, ','), s, r::jsonb, now()"
                    + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[])"
                    + " AS t(k, i, h, j, s, r)"
                    + " ON CONFLICT (api_key_id, idempotency_key) DO NOTHING"
                    + " RETURNING api_key_id, idempotency_key";

    private static final String EXISTING =
            "SELECT api_key_id, idempotency_key, request_hash, status_code, response::text"
                    + " FROM api_idempotency a"
                    + " JOIN unnest(?::text[], ?::text[]) AS t(k, i)"
                    + " ON a.api_key_id = t.k AND a.idempotency_key = t.i";

    private static final String INSERT_JOBS =
            "INSERT INTO email_job (job_id, type, pool, to_address, from_address, template_id,"
                    + " template_version, campaign_id, status, status_rank, scheduled_at,"
                    + " created_at, updated_at, tags, metadata)"
                    + " SELECT j, ty, p, t, f, ti, tv, c, 'QUEUED', "
                    + EmailEventType.QUEUED.rank()
                    + ", sa::timestamptz, ca::timestamptz, now(), tg::jsonb, md::jsonb"
                    + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                    + " ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
                    + " AS u(j, ty, p, t, f, ti, tv, c, sa, ca, tg, md)"
                    + " ON CONFLICT (job_id) DO NOTHING";

    private static final String INSERT_ATTACHMENT =
            "INSERT INTO email_attachment (sha256, filename, content_type, size, content)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING";

    private static final String FAIL_JOBS =
            "UPDATE email_job SET status = 'FAILED', status_rank = "
                    + EmailEventType.FAILED.rank()
                    + ", last_reason = ?, updated_at = now()"
                    + " WHERE job_id = ANY(?::text[]) AND status_rank < "
                    + EmailEventType.FAILED.rank();

    private static final String RELEASE_KEY =
            "DELETE FROM api_idempotency WHERE api_key_id = ? AND idempotency_key = ?";

    private static final String EXPIRE_KEYS = "DELETE FROM api_idempotency WHERE created_at < ?";

    private final DataSource dataSource;
    private final BlockingQueue<Pending> queue;
    private final List<Thread> threads = new ArrayList<>();
    private final Clock clock;
    private final Duration idempotencyTtl;
    private volatile boolean running = true;
    private volatile long nextExpiry;

    /**
     * An attachment to store once by content hash.
     *
     * @param sha256 lower-case hex SHA-256 of the content
     * @param filename file name
     * @param contentType MIME type
     * @param content bytes
     */
    public record AttachmentRow(
            String sha256, String filename, String contentType, byte[] content) {}

    /**
     * What one API call accepted.
     *
     * @param apiKeyId caller
     * @param idempotencyKey Idempotency-Key header, or null
     * @param requestHash hash of the request (route and body) for the idempotency check
     * @param jobs jobs to record
     * @param attachments attachments to store
     * @param statusCode the response status to replay
     * @param responseJson the response body to replay
     */
    public record Acceptance(
            String apiKeyId,
            String idempotencyKey,
            String requestHash,
            List<EmailJob> jobs,
            List<AttachmentRow> attachments,
            int statusCode,
            String responseJson) {}

    /** What became of an acceptance. */
    public sealed interface Outcome {}

    /** Recorded: publish the jobs now. */
    public record Accepted() implements Outcome {}

    /** The same Idempotency-Key with the same request was seen: answer as the first time. */
    public record Replay(int statusCode, String responseJson) implements Outcome {}

    /** The same Idempotency-Key with another request: 409. */
    public record Conflict() implements Outcome {}

    private record Pending(Acceptance acceptance, CompletableFuture<Outcome> result) {}

    /**
     * @param threads writer threads (each holds one connection while writing)
     * @param queueCapacity calls that may wait; beyond that callers get 503
     */
    public AcceptWriter(
            DataSource dataSource,
            int threads,
            int queueCapacity,
            Duration idempotencyTtl,
            Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource);
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.clock = clock;
        this.idempotencyTtl = idempotencyTtl;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::loop, "edge-accept-writer-" + i);
            t.setDaemon(true);
            this.threads.add(t);
            t.start();
        }
    }

    /** Queues an acceptance; the future completes after the commit. */
    public CompletableFuture<Outcome> submit(Acceptance acceptance) {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        if (!running || !queue.offer(new Pending(acceptance, f))) {
            f.completeExceptionally(
                    ApiException.unavailable("too many requests waiting for the database"));
        }
        return f;
    }

    /**
     * Undoes what can be undone when publishing failed: the jobs that were not published are marked
     * FAILED (status only moves forward, so a job that did go out is not touched by a later
     * correction), and the idempotency claim is released when nothing went out, so that the
     * caller's retry with the same key is processed afresh. Blocking; call from a worker thread.
     */
    public void abandon(Acceptance a, List<String> unpublishedJobIds, boolean nothingPublished) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (!unpublishedJobIds.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(FAIL_JOBS)) {
                    ps.setString(1, "not published: the broker did not accept the job");
                    ps.setArray(2, c.createArrayOf("text", unpublishedJobIds.toArray()));
                    ps.executeUpdate();
                }
            }
            if (nothingPublished && a.idempotencyKey() != null) {
                try (PreparedStatement ps = c.prepareStatement(RELEASE_KEY)) {
                    ps.setString(1, a.apiKeyId());
                    ps.setString(2, a.idempotencyKey());
                    ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            LOG.error(
                    "Could not mark {} unpublished job(s) as failed", unpublishedJobIds.size(), e);
        }
    }

    private void loop() {
        List<Pending> batch = new ArrayList<>();
        List<Pending> deferred = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = deferred.isEmpty() ? queue.poll(200, TimeUnit.MILLISECONDS) : null;
                batch.addAll(deferred);
                deferred.clear();
                if (first != null) {
                    batch.add(first);
                }
                int jobs = 0;
                for (Pending p : batch) {
                    jobs += p.acceptance.jobs().size();
                }
                while (jobs < MAX_JOBS_PER_TX) {
                    Pending next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    jobs += next.acceptance.jobs().size();
                }
                if (!batch.isEmpty()) {
                    write(batch, deferred);
                }
                expireKeys();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("Accept writer failed", e);
                fail(batch, e);
            } finally {
                batch.clear();
            }
        }
        List<Pending> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.addAll(deferred);
        fail(rest, ApiException.unavailable("the edge is shutting down"));
    }

    private void write(List<Pending> batch, List<Pending> deferred) {
        // Two calls with the same key in one transaction: the later one waits for the next round,
        // where it sees the first one's claim.
        List<Pending> now = new ArrayList<>(batch.size());
        Set<String> keys = new HashSet<>();
        for (Pending p : batch) {
            Acceptance a = p.acceptance;
            if (a.idempotencyKey() != null && !keys.add(a.apiKeyId() + '\n' + a.idempotencyKey())) {
                deferred.add(p);
            } else {
                now.add(p);
            }
        }
        Map<Pending, Outcome> outcomes = new IdentityHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Pending> winners = claim(c, now, outcomes, deferred);
                insertAttachments(c, winners);
                insertJobs(c, winners);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            LOG.error("Could not record {} accepted call(s)", now.size(), e);
            fail(now, ApiException.unavailable("the database is unavailable"));
            return;
        }
        for (Pending p : now) {
            Outcome o = outcomes.get(p);
            if (o != null) {
                p.result.complete(o);
            }
        }
    }

    /** Claims the Idempotency-Keys; returns the calls whose jobs must be written. */
    private List<Pending> claim(
            Connection c, List<Pending> now, Map<Pending, Outcome> outcomes, List<Pending> deferred)
            throws SQLException {
        List<Pending> keyed = new ArrayList<>();
        List<Pending> winners = new ArrayList<>(now.size());
        for (Pending p : now) {
            if (p.acceptance.idempotencyKey() == null) {
                winners.add(p);
                outcomes.put(p, new Accepted());
            } else {
                keyed.add(p);
            }
        }
        if (keyed.isEmpty()) {
            return winners;
        }
        int n = keyed.size();
        String[] k = new String[n],
                i = new String[n],
                h = new String[n],
                j = new String[n],
                r = new String[n];
        Integer[] s = new Integer[n];
        for (int x = 0; x < n; x++) {
            Acceptance a = keyed.get(x).acceptance;
            k[x] = a.apiKeyId();
            i[x] = a.idempotencyKey();
            h[x] = a.requestHash();
            List<String> ids = new ArrayList<>(a.jobs().size());
            a.jobs().forEach(job -> ids.add(job.jobId()));
            j[x] = String.join(",", ids);
            s[x] = a.statusCode();
            r[x] = a.responseJson();
        }
        Set<String> claimed = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setArray(1, c.createArrayOf("text", k));
            ps.setArray(2, c.createArrayOf("text", i));
            ps.setArray(3, c.createArrayOf("text", h));
            ps.setArray(4, c.createArrayOf("text", j));
            ps.setArray(5, c.createArrayOf("int4", s));
            ps.setArray(6, c.createArrayOf("text", r));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(rs.getString(1) + '\n' + rs.getString(2));
                }
            }
        }
        List<Pending> lost = new ArrayList<>();
        for (Pending p : keyed) {
            if (claimed.contains(p.acceptance.apiKeyId() + '\n' + p.acceptance.idempotencyKey())) {
                winners.add(p);
                outcomes.put(p, new Accepted());
            } else {
                lost.add(p);
            }
        }
        if (!lost.isEmpty()) {
            Map<String, Outcome> existing = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(EXISTING)) {
                ps.setArray(
                        1,
                        c.createArrayOf(
                                "text", lost.stream().map(p -> p.acceptance.apiKeyId()).toArray()));
                ps.setArray(
                        2,
                        c.createArrayOf(
                                "text",
                                lost.stream().map(p -> p.acceptance.idempotencyKey()).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        existing.put(
                                rs.getString(1) + '\n' + rs.getString(2) + '\n' + rs.getString(3),
                                new Replay(rs.getInt(4), rs.getString(5)));
                        existing.putIfAbsent(
                                rs.getString(1) + '\n' + rs.getString(2), new Conflict());
                    }
                }
            }
            for (Pending p : lost) {
                Acceptance a = p.acceptance;
                String key = a.apiKeyId() + '\n' + a.idempotencyKey();
                Outcome same = existing.get(key + '\n' + a.requestHash());
                if (same != null) {
                    outcomes.put(p, same);
                } else if (existing.containsKey(key)) {
                    outcomes.put(p, new Conflict());
                } else {
                    // The claim was released (its publish failed) since we tried: try again.
                    deferred.add(p);
                }
            }
        }
        return winners;
    }

    private static void insertAttachments(Connection c, List<Pending> winners) throws SQLException {
        Set<String> seen = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT_ATTACHMENT)) {
            int rows = 0;
            for (Pending p : winners) {
                for (AttachmentRow a : p.acceptance.attachments()) {
                    if (!seen.add(a.sha256())) {
                        continue;
                    }
                    ps.setString(1, a.sha256());
                    ps.setString(2, a.filename());
                    ps.setString(3, a.contentType());
                    ps.setLong(4, a.content().length);
                    ps.setBytes(5, a.content());
                    ps.addBatch();
                    rows++;
                }
            }
            if (rows > 0) {
                ps.executeBatch();
            }
        }
    }

    private static void insertJobs(Connection c, List<Pending> winners) throws SQLException {
        int n = 0;
        for (Pending p : winners) {
            n += p.acceptance.jobs().size();
        }
        if (n == 0) {
            return;
        }
        String[] id = new String[n], type = new String[n], pool = new String[n], to = new String[n];
        String[] from = new String[n], tmpl = new String[n], camp = new String[n];
        String[] sched = new String[n],
                created = new String[n],
                tags = new String[n],
                meta = new String[n];
        Integer[] ver = new Integer[n];
        int x = 0;
        for (Pending p : winners) {
            for (EmailJob j : p.acceptance.jobs()) {
                id[x] = j.jobId();
                type[x] = j.type().name();
                pool[x] = j.pool();
                to[x] = j.to();
                from[x] = j.from();
                tmpl[x] = j.templateId();
                ver[x] = j.templateVersion();
                camp[x] = j.campaignId();
                sched[x] = j.scheduledAt() == null ? null : j.scheduledAt().toString();
                created[x] = j.createdAt().toString();
                tags[x] = j.tags() == null || j.tags().isEmpty() ? null : Json.toString(j.tags());
                meta[x] =
                        j.metadata() == null || j.metadata().isEmpty()
                                ? null
                                : Json.toString(j.metadata());
                x++;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_JOBS)) {
            Object[][] cols = {
                id, type, pool, to, from, tmpl, null, camp, sched, created, tags, meta
            };
            for (int col = 0; col < cols.length; col++) {
                Array arr =
                        col == 6
                                ? c.createArrayOf("int4", ver)
                                : c.createArrayOf("text", cols[col]);
                ps.setArray(col + 1, arr);
            }
            ps.executeUpdate();
        }
    }

    private void expireKeys() {
        long now = clock.millis();
        if (now < nextExpiry) {
            return;
        }
        nextExpiry = now + 60_000;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(EXPIRE_KEYS)) {
            c.setAutoCommit(true);
            ps.setTimestamp(1, Database.ts(Instant.ofEpochMilli(now).minus(idempotencyTtl)));
            int n = ps.executeUpdate();
            if (n > 0) {
                LOG.info("Expired {} idempotency key(s)", n);
            }
        } catch (SQLException e) {
            LOG.warn("Could not expire idempotency keys: {}", e.toString());
        }
    }

    private static void fail(List<Pending> pending, Throwable error) {
        for (Pending p : pending) {
            p.result.completeExceptionally(error);
        }
    }

    /** Writes what is queued, then stops the writer threads. */
    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
