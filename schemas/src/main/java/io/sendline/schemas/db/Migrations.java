package io.sendline.schemas.db;

import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings a PostgreSQL database to Sendline's current schema by applying the versioned migrations in
 * {@code db/migration} ({@code V1__init.sql}, ...) with Flyway. Safe to call on every start:
 * applied migrations are recorded in {@code flyway_schema_history} and skipped, and concurrent
 * callers are serialized by Flyway's database lock. Used by the local stack, the edge and tests.
 */
public final class Migrations {

    /** Where the migration scripts are. */
    public static final String LOCATION = "classpath:db/migration";

    private Migrations() {}

    /**
     * Applies the pending migrations.
     *
     * @return how many were applied (0 when the schema was current)
     * @throws org.flywaydb.core.api.FlywayException when a migration fails or an applied one was
     *     changed
     */
    public static int apply(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return migrate(flyway().dataSource(dataSource));
    }

    /** Applies the pending migrations to the database at {@code jdbcUrl}. */
    public static int apply(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        return migrate(flyway().dataSource(jdbcUrl, user, password));
    }

    private static org.flywaydb.core.api.configuration.FluentConfiguration flyway() {
        // This class's loader, not the thread's: inside Flink or a shaded jar the scripts are
        // found next to this class.
        return Flyway.configure(Migrations.class.getClassLoader())
                .locations(LOCATION)
                .failOnMissingLocations(true);
    }

    private static int migrate(org.flywaydb.core.api.configuration.FluentConfiguration config) {
        MigrateResult result = config.load().migrate();
        return result.migrationsExecuted;
    }
}
