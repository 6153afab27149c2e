package io.sendline.send.status;

import io.sendline.common.jdbc.PostgresDataSource;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An at-least-once PostgreSQL sink that buffers elements in a {@link Buffer} and writes the whole
 * buffer with as few statements as the buffer can (one multi-row statement for the status and
 * history tables): flushed when {@code batchSize} elements were added, when the oldest buffered
 * element is {@code batchInterval} old, and before every checkpoint ({@link SinkWriter#flush} is
 * called before the checkpoint barrier goes on, so a completed checkpoint means the rows are in
 * PostgreSQL). A failed write is retried with back-off on a new connection; the buffer is kept
 * until it is written, and when the retries are used up the task fails and restores, replaying the
 * elements since the last checkpoint. Writes must therefore be idempotent.
 *
 * <p>Replaces flink-connector-jdbc's {@code JdbcSink}, which sends one single-row statement per
 * element (in a JDBC batch): per email that was two upserts of the job's row and two history
 * inserts, each planned and executed on its own (docs/send-pipeline.md, "PostgreSQL writes").
 *
 * @param <T> element type
 */
public final class BatchingJdbcSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(BatchingJdbcSink.class);

    /** Longest pause between two tries. */
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /**
     * What a writer buffers between flushes, and how it writes it. One per writer, used by the task
     * thread only.
     */
    public interface Buffer<T> {
        /** Buffers an element. */
        void add(T element);

        /** Elements added since the last {@link #clear()}; the size trigger compares this. */
        int added();

        default boolean isEmpty() {
            return rows() == 0;
        }

        /** Rows the buffer writes (after folding), for the metrics. */
        int rows();

        /**
         * Writes everything buffered (autocommit: one statement is one transaction). Must be
         * idempotent: it is retried, and replayed after a restore.
         */
        void write(Connection c) throws SQLException;

        void clear();
    }

    /** Makes a writer's buffer (serializable, as the sink is shipped to the task managers). */
    @FunctionalInterface
    public interface BufferFactory<T> extends Serializable {
        Buffer<T> create();
    }

    private final String url;
    private final String user;
    private final String password;
    private final int batchSize;
    private final long intervalMillis;
    private final int maxRetries;
    private final String name;
    private final BufferFactory<T> buffers;

    /**
     * @param url PostgreSQL JDBC URL
     * @param user user, or null/empty for the URL's
     * @param password password, or null/empty for the URL's
     * @param batchSize flush when this many elements were added, at least 1
     * @param batchInterval flush when the oldest buffered element is this old (0: only on size and
     *     checkpoints)
     * @param maxRetries tries after the first failed one before the task fails
     * @param name what is written, for logs and errors
     * @param buffers makes each writer's buffer
     */
    public BatchingJdbcSink(
            String url,
            String user,
            String password,
            int batchSize,
            Duration batchInterval,
            int maxRetries,
            String name,
            BufferFactory<T> buffers) {
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
        if (batchSize < 1 || maxRetries < 0 || batchInterval.isNegative()) {
            throw new IllegalArgumentException(
                    "batchSize must be >= 1, maxRetries >= 0, batchInterval >= 0");
        }
        this.batchSize = batchSize;
        this.intervalMillis = batchInterval.toMillis();
        this.maxRetries = maxRetries;
        this.name = Objects.requireNonNull(name, "name");
        this.buffers = Objects.requireNonNull(buffers, "buffers");
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new Writer(
                context.getProcessingTimeService(),
                context.metricGroup().getNumRecordsSendCounter(),
                context.metricGroup().counter("statements"));
    }

    /** A writer outside Flink (benchmarks, tests): no timer; flush by size or by hand. */
    public Writer writer() {
        return new Writer(null, null, null);
    }

    /** One subtask's writer. */
    public final class Writer implements SinkWriter<T> {
        private final Buffer<T> buffer = buffers.create();
        private final ProcessingTimeService timers;
        private final Counter rowsWritten;
        private final Counter statements;
        private Connection connection;
        private boolean timerPending;

        Writer(ProcessingTimeService timers, Counter rowsWritten, Counter statements) {
            this.timers = timers;
            this.rowsWritten = rowsWritten;
            this.statements = statements;
        }

        @Override
        public void write(T element, Context context) throws IOException, InterruptedException {
            add(element);
        }

        /** Buffers an element; writes the buffer when it is full. */
        public void add(T element) throws IOException, InterruptedException {
            buffer.add(element);
            if (buffer.added() >= batchSize) {
                flush(false);
            } else if (!timerPending && timers != null && intervalMillis > 0) {
                timerPending = true;
                // Runs in the task's mailbox thread, like write() and flush(): no locking needed.
                timers.registerTimer(
                        timers.getCurrentProcessingTime() + intervalMillis,
                        time -> {
                            timerPending = false;
                            flush(false);
                        });
            }
        }

        /** Elements buffered and not yet written. */
        public int buffered() {
            return buffer.added();
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            if (buffer.isEmpty()) {
                return;
            }
            SQLException last = null;
            for (int tries = 0; tries <= maxRetries; tries++) {
                if (tries > 0) {
                    Thread.sleep(Math.min(MAX_BACKOFF_MILLIS, 100L << Math.min(tries - 1, 10)));
                }
                try {
                    int rows = buffer.rows();
                    buffer.write(connection());
                    buffer.clear();
                    if (rowsWritten != null) {
                        rowsWritten.inc(rows);
                        statements.inc();
                    }
                    return;
                } catch (SQLException e) {
                    last = e;
                    closeConnection(); // it may be broken: the next try opens a new one
                    LOG.warn(
                            "writing {} to PostgreSQL failed (try {} of {}, SQL state {})",
                            name,
                            tries + 1,
                            maxRetries + 1,
                            e.getSQLState());
                }
            }
            throw new IOException(
                    "writing "
                            + name
                            + " to PostgreSQL failed after "
                            + (maxRetries + 1)
                            + " tries",
                    last);
        }

        private Connection connection() throws SQLException {
            if (connection == null) {
                connection = PostgresDataSource.of(url, user, password).getConnection();
                connection.setAutoCommit(true);
            }
            return connection;
        }

        private void closeConnection() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    LOG.debug("closing the {} connection failed", name, e);
                }
                connection = null;
            }
        }

        /** Closes the connection; what is still buffered is replayed from the last checkpoint. */
        @Override
        public void close() {
            closeConnection();
        }
    }
}
