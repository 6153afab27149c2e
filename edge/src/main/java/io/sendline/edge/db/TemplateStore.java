package io.sendline.edge.db;

import io.sendline.schemas.EmailTemplate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Template versions in {@code email_template}. Versions are immutable and numbered 1, 2, ...; a
 * change stores a new version, an unchanged save stores nothing. Blocking; call from a worker.
 */
public final class TemplateStore {

    private static final String COLUMNS =
            "template_id, version, name, subject, html, text, created_at";
    private static final String LATEST =
            "SELECT "
                    + COLUMNS
                    + " FROM email_template WHERE template_id = ?"
                    + " ORDER BY version DESC LIMIT 1";
    private static final String VERSION =
            "SELECT " + COLUMNS + " FROM email_template WHERE template_id = ? AND version = ?";
    private static final String MAX_VERSION =
            "SELECT max(version) FROM email_template WHERE template_id = ?";
    private static final String LOCK =
            "SELECT pg_advisory_xact_lock(hashtext('email_template:' || ?))";
    private static final String INSERT =
            "INSERT INTO email_template (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;

    public TemplateStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Result of {@link #save}.
     *
     * @param template the current version
     * @param created true when this call stored a new version
     */
    public record Saved(EmailTemplate template, boolean created) {}

    /** Thrown by {@link #save} when {@code mustBeNew} and the template exists. */
    public static final class AlreadyExists extends Exception {
        public AlreadyExists() {
            super("template exists", null, false, false);
        }
    }

    /** Thrown by {@link #save} when {@code mustExist} and the template does not. */
    public static final class Missing extends Exception {
        public Missing() {
            super("template does not exist", null, false, false);
        }
    }

    /**
     * Stores {@code draft} (its version and createdAt are ignored) as the next version, unless it
     * equals the latest. {@code publish} is called with the new version inside the transaction and
     * must complete before the commit: a version is never in PostgreSQL without being on the topic.
     */
    public Saved save(
            EmailTemplate draft,
            boolean mustBeNew,
            boolean mustExist,
            Function<EmailTemplate, Void> publish)
            throws SQLException, AlreadyExists, Missing {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(LOCK)) {
                    ps.setString(1, draft.templateId());
                    ps.execute();
                }
                Optional<EmailTemplate> latest = latest(c, draft.templateId());
                if (latest.isPresent() && mustBeNew) {
                    throw new AlreadyExists();
                }
                if (latest.isEmpty() && mustExist) {
                    throw new Missing();
                }
                if (latest.isPresent() && sameContent(latest.get(), draft)) {
                    c.rollback();
                    return new Saved(latest.get(), false);
                }
                EmailTemplate next =
                        new EmailTemplate(
                                draft.templateId(),
                                latest.map(t -> t.version() + 1).orElse(1),
                                draft.name(),
                                draft.subject(),
                                draft.html(),
                                draft.text(),
                                draft.createdAt());
                try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                    ps.setString(1, next.templateId());
                    ps.setInt(2, next.version());
                    ps.setString(3, next.name());
                    ps.setString(4, next.subject());
                    ps.setString(5, next.html());
                    ps.setString(6, next.text());
                    ps.setTimestamp(7, Database.ts(next.createdAt()));
                    ps.executeUpdate();
                }
                publish.apply(next);
                c.commit();
                return new Saved(next, true);
            } catch (SQLException | RuntimeException | AlreadyExists | Missing e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static boolean sameContent(EmailTemplate a, EmailTemplate b) {
        return Objects.equals(a.name(), b.name())
                && Objects.equals(a.subject(), b.subject())
                && Objects.equals(a.html(), b.html())
                && Objects.equals(a.text(), b.text());
    }

    /** The newest version. */
    public Optional<EmailTemplate> latest(String templateId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return latest(c, templateId);
        }
    }

    /** One version. */
    public Optional<EmailTemplate> version(String templateId, int version) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(VERSION)) {
            ps.setString(1, templateId);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /** The newest version number, or empty when the template does not exist. */
    public OptionalInt maxVersion(String templateId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(MAX_VERSION)) {
            ps.setString(1, templateId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    int v = rs.getInt(1);
                    if (!rs.wasNull()) {
                        return OptionalInt.of(v);
                    }
                }
                return OptionalInt.empty();
            }
        }
    }

    private static Optional<EmailTemplate> latest(Connection c, String templateId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LATEST)) {
            ps.setString(1, templateId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static EmailTemplate row(ResultSet rs) throws SQLException {
        return new EmailTemplate(
                rs.getString(1),
                rs.getInt(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                Database.instant(rs.getTimestamp(7)));
    }
}
