package io.sendline.common.jdbc;

import java.util.Objects;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL {@link DataSource} from the settings every writer of the jobs takes: a JDBC URL and
 * an optional user and password (null or empty: the URL's own). One place, so the send ledger and
 * the status and history sinks connect the same way.
 */
public final class PostgresDataSource {

    private PostgresDataSource() {}

    public static DataSource of(String url, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(Objects.requireNonNull(url, "jdbcUrl"));
        if (user != null && !user.isEmpty()) {
            ds.setUser(user);
        }
        if (password != null && !password.isEmpty()) {
            ds.setPassword(password);
        }
        return ds;
    }
}
