package io.sendline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded services start, serve real clients, and keep data where they promise to. */
class EmbeddedServicesITCase {

    private static ProducerRecord<byte[], byte[]> rec(String topic, String k, String v) {
        return new ProducerRecord<>(
                topic, k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void kafkaCreatesTopicsAndReadsBackCommittedRecords() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(Map.of("plain", false, "state", true), 2);
            kafka.createTopic("plain", 2, false); // idempotent
            assertThat(kafka.describeTopic("plain").partitions()).hasSize(2);

            kafka.send(rec("plain", "a", "1"), rec("plain", "b", "2"), rec("plain", "c", "3"));
            List<ConsumerRecord<byte[], byte[]>> got =
                    kafka.readAll("plain", 3, Duration.ofSeconds(60));
            assertThat(got).hasSize(3);
        }
    }

    @Test
    void kafkaOnFixedPortKeepsTopicsBetweenRuns(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port, dir)) {
            assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + port);
            kafka.createTopic("kept", 1, true);
            kafka.send(rec("kept", "k", "v"));
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port, dir)) {
            assertThat(kafka.readAll("kept", 1, Duration.ofSeconds(60))).hasSize(1);
        }
    }

    @Test
    void postgresServesSqlNeverRunsAsRootAndGivesFreshDatabasesAsAnExternalServer()
            throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start();
                Connection c = pg.connect();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 40 + 2")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
            // The backend reads its own status: the uid it runs as, seen from its namespace.
            try (ResultSet rs = s.executeQuery("select pg_read_file('/proc/self/status')")) {
                rs.next();
                String uid =
                        rs.getString(1)
                                .lines()
                                .filter(l -> l.startsWith("Uid:"))
                                .findFirst()
                                .orElseThrow()
                                .split("\\s+")[1];
                assertThat(uid).isNotEqualTo("0");
                if (new com.sun.security.auth.module.UnixSystem().getUid() == 0) {
                    assertThat(uid).isEqualTo("65534"); // nobody
                }
            }

            // The same server seen as an external one (what SENDLINE_POSTGRES_URL does).
            String adminUrl =
                    pg.jdbcUrl()
                            + "?user="
                            + pg.user()
                            + "&password="
                            + pg.password()
                            + "&ApplicationName=sendline-it";
            String db;
            try (EmbeddedPostgres external = EmbeddedPostgres.onExternalServer(adminUrl);
                    Connection ec = external.connect();
                    Statement es = ec.createStatement();
                    ResultSet rs =
                            es.executeQuery(
                                    "select current_database(),"
                                            + " current_setting('application_name')")) {
                rs.next();
                db = rs.getString(1);
                assertThat(db).startsWith("sendline_test_");
                assertThat(rs.getString(2))
                        .as("other URL parameters kept")
                        .isEqualTo("sendline-it");
            }
            try (ResultSet rs =
                    s.executeQuery(
                            "select count(*) from pg_database where datname = '" + db + "'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("fresh database dropped on close").isZero();
            }
        }
    }

    @Test
    void postgresKeepsDataInItsDirectoryAfterACleanStopAndAfterAKilledRun(@TempDir Path dir)
            throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("pg");
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(port, data);
                Connection c = pg.connect();
                Statement s = c.createStatement()) {
            s.execute("create table kept(v int)");
            s.execute("insert into kept values (7)");
        }
        // Another JVM starts PostgreSQL on the directory, writes a row, and is killed with
        // SIGKILL: no shutdown hook runs, its PostgreSQL child keeps running on the directory
        // and the next start has to stop it first.
        Process other =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                StartPostgresAndWait.class.getName(),
                                String.valueOf(port),
                                data.toString())
                        .redirectErrorStream(true)
                        .start();
        try (var out =
                new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                                other.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                // skip its log output
            }
            assertThat(line).as("the other JVM started PostgreSQL").isEqualTo("READY");
            // While its owner lives, the server is not taken away from it.
            assertThatThrownBy(() -> EmbeddedPostgres.start(port, data))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another running process");
            other.destroyForcibly().waitFor();
        }
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(port, data);
                Connection c = pg.connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("select string_agg(v::text, ',' order by v) from kept")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("7,9");
        }
    }

    /** Runs in a separate JVM for the test above. */
    public static final class StartPostgresAndWait {
        public static void main(String[] args) throws Exception {
            EmbeddedPostgres pg =
                    EmbeddedPostgres.start(Integer.parseInt(args[0]), Path.of(args[1]));
            try (Connection c = pg.connect();
                    Statement s = c.createStatement()) {
                s.execute("insert into kept values (9)");
            }
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void miniClusterRunsAJobAtParallelismTwoAndServesTheWebUi() throws Exception {
        try (FlinkMiniCluster flink = FlinkMiniCluster.start(2, 1, 0)) {
            HttpURLConnection http =
                    (HttpURLConnection)
                            URI.create(flink.webUrl() + "/overview").toURL().openConnection();
            assertThat(http.getResponseCode()).isEqualTo(200);
            String body = new String(http.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(body).contains("\"slots-total\":2");

            Configuration conf = new Configuration();
            conf.setString("parallelism.default", "2");
            StreamExecutionEnvironment env = flink.env(conf);
            List<Long> out = new ArrayList<>();
            try (CloseableIterator<Long> it =
                    env.fromSequence(1, 100).map(x -> x * 2).executeAndCollect()) {
                it.forEachRemaining(out::add);
            }
            assertThat(out).hasSize(100);
            assertThat(out.stream().mapToLong(Long::longValue).sum()).isEqualTo(10100);
        }
    }
}
