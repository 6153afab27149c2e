package io.sendline.edge.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Timestamp;
import java.time.Instant;

/** The edge's PostgreSQL connection pool (HikariCP) and small JDBC helpers. */
public final class Database {

    private Database() {}

    /**
     * A pool of {@code size} connections. Statements are prepared server-side from the first use
     * ({@code prepareThreshold=1}): the edge runs the same few statements all day.
     */
    public static HikariDataSource pool(String url, String user, String password, int size) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        if (user != null) {
            c.setUsername(user);
        }
        if (password != null) {
            c.setPassword(password);
        }
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(Math.min(2, size));
        c.setPoolName("sendline-edge");
        c.setConnectionTimeout(5_000);
        c.setValidationTimeout(2_000);
        c.addDataSourceProperty("prepareThreshold", "1");
        c.addDataSourceProperty("ApplicationName", "sendline-edge");
        // Do not fail start-up when the database is briefly unavailable; requests will answer 503.
        c.setInitializationFailTimeout(-1);
        return new HikariDataSource(c);
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
