package io.sendline.edge.db;

import io.sendline.schemas.SuppressionReason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The suppression list in {@code email_suppression}, keyed by normalised address. An address is
 * never weakened: a stronger reason replaces a weaker one (unsubscribe &lt; manual &lt; soft-bounce
 * limit &lt; hard bounce &lt; complaint), never the reverse, and only unsubscribes and manual
 * entries can be removed (the database's trigger enforces the same for bounces and complaints).
 * Blocking; call from a worker.
 */
public final class SuppressionStore {

    private static final String COLUMNS = "address, reason, scope, source, job_id, added_at";
    private static final String GET_FOR_UPDATE =
            "SELECT " + COLUMNS + " FROM email_suppression WHERE address = ? FOR UPDATE";
    private static final String GET =
            "SELECT " + COLUMNS + " FROM email_suppression WHERE address = ?";
    private static final String INSERT =
            "INSERT INTO email_suppression ("
                    + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (address) DO NOTHING";
    private static final String UPDATE =
            "UPDATE email_suppression SET reason = ?, scope = ?, source = ?, job_id = ?, added_at = ?"
                    + " WHERE address = ?";
    private static final String DELETE = "DELETE FROM email_suppression WHERE address = ?";

    private final DataSource dataSource;

    public SuppressionStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * One suppressed address.
     *
     * @param address normalised address
     * @param reason why
     * @param scope ALL, or MARKETING for unsubscribes
     * @param source who added it
     * @param jobId job that caused it, if any
     * @param addedAt when
     */
    public record Entry(
            String address,
            SuppressionReason reason,
            String scope,
            String source,
            String jobId,
            Instant addedAt) {}

    /**
     * One page of the list, ordered by address.
     *
     * @param entries the entries
     * @param next the cursor of the next page, or null at the end
     */
    public record Page(List<Entry> entries, String next) {}

    /** Result of {@link #remove}. */
    public enum Removal {
        REMOVED,
        NOT_FOUND,
        NOT_REMOVABLE
    }

    /** The scope an entry with this reason gets. */
    public static String scope(SuppressionReason reason) {
        return reason == SuppressionReason.UNSUBSCRIBE ? "MARKETING" : "ALL";
    }

    static int strength(SuppressionReason r) {
        return switch (r) {
            case UNSUBSCRIBE -> 1;
            case MANUAL -> 2;
            case SOFT_BOUNCE_LIMIT -> 3;
            case HARD_BOUNCE -> 4;
            case COMPLAINT -> 5;
        };
    }

    /**
     * Adds an address, or strengthens its entry. {@code publish} gets the resulting entry inside
     * the transaction (so the topic never says less than the table) and must throw to roll back.
     *
     * @return the entry as it now stands
     */
    public Entry add(
            String address,
            SuppressionReason reason,
            String source,
            String jobId,
            Instant at,
            Consumer<Entry> publish)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Entry wanted = new Entry(address, reason, scope(reason), source, jobId, at);
                Optional<Entry> current = get(c, GET_FOR_UPDATE, address);
                Entry result;
                if (current.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                        bind(ps, wanted);
                        if (ps.executeUpdate() == 1) {
                            current = Optional.empty();
                        } else {
                            // Someone inserted it meanwhile: compare with theirs.
                            current = get(c, GET_FOR_UPDATE, address);
                        }
                    }
                }
                if (current.isEmpty()) {
                    result = wanted;
                } else if (strength(reason) > strength(current.get().reason())) {
                    try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
                        ps.setString(1, reason.name());
                        ps.setString(2, wanted.scope());
                        ps.setString(3, source);
                        ps.setString(4, jobId);
                        ps.setTimestamp(5, Database.ts(at));
                        ps.setString(6, address);
                        ps.executeUpdate();
                    }
                    result = wanted;
                } else {
                    result = current.get();
                }
                publish.accept(result);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Removes an unsubscribe or manual entry; {@code publish} runs before the commit. */
    public Removal remove(String address, Consumer<Entry> publish) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<Entry> current = get(c, GET_FOR_UPDATE, address);
                if (current.isEmpty()) {
                    c.rollback();
                    return Removal.NOT_FOUND;
                }
                if (!current.get().reason().removable()) {
                    c.rollback();
                    return Removal.NOT_REMOVABLE;
                }
                try (PreparedStatement ps = c.prepareStatement(DELETE)) {
                    ps.setString(1, address);
                    ps.executeUpdate();
                }
                publish.accept(current.get());
                c.commit();
                return Removal.REMOVED;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** One entry. */
    public Optional<Entry> get(String address) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return get(c, GET, address);
        }
    }

    /** Entries after {@code after} (exclusive, null for the start), optionally of one reason. */
    public Page list(String after, int limit, SuppressionReason reason) throws SQLException {
        StringBuilder sql =
                new StringBuilder(
                        "SELECT " + COLUMNS + " FROM email_suppression WHERE address > ?");
        if (reason != null) {
            sql.append(" AND reason = ?");
        }
        sql.append(" ORDER BY address LIMIT ?");
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setString(i++, after == null ? "" : after);
            if (reason != null) {
                ps.setString(i++, reason.name());
            }
            ps.setInt(i, limit + 1);
            List<Entry> out = new ArrayList<>(limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            String next = null;
            if (out.size() > limit) {
                out.remove(limit);
                next = out.get(limit - 1).address();
            }
            return new Page(out, next);
        }
    }

    private static Optional<Entry> get(Connection c, String sql, String address)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, address);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static void bind(PreparedStatement ps, Entry e) throws SQLException {
        ps.setString(1, e.address());
        ps.setString(2, e.reason().name());
        ps.setString(3, e.scope());
        ps.setString(4, e.source());
        ps.setString(5, e.jobId());
        ps.setTimestamp(6, Database.ts(e.addedAt()));
    }

    private static Entry row(ResultSet rs) throws SQLException {
        return new Entry(
                rs.getString(1),
                SuppressionReason.valueOf(rs.getString(2)),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                Database.instant(rs.getTimestamp(6)));
    }
}
