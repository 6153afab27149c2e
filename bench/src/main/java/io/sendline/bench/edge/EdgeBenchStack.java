package io.sendline.bench.edge;

import io.sendline.edge.EdgeConfig;
import io.sendline.edge.EdgeServer;
import io.sendline.edge.auth.ApiKeys;
import io.sendline.embedded.EmbeddedKafka;
import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.schemas.Topics;
import io.sendline.schemas.db.Migrations;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The edge with a local broker and PostgreSQL, for {@link EdgeLoad}: starts an in-process Kafka
 * broker, an embedded PostgreSQL (migrations applied, topics created) and the edge on
 * 127.0.0.1:{port}, prints the API key and tracking secret to use, and stops by itself after {@code
 * seconds}.
 *
 * <pre>EdgeBenchStack [port=18080] [seconds=900] [partitions=4]</pre>
 *
 * System properties {@code -Dedge.*} override the edge's configuration (e.g. {@code
 * -Dedge.kafka.producer.linger.ms=5}).
 */
public final class EdgeBenchStack {

    public static final String API_KEY = "bench-key-0123456789abcdef";
    public static final String TRACKING_SECRET = "bench-tracking-secret-0123456789abcdef";

    private EdgeBenchStack() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18080;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 900;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            Migrations.apply(pg.dataSource());
            kafka.createTopics(
                    Arrays.stream(Topics.values())
                            .collect(Collectors.toMap(Topics::topic, Topics::compacted)),
                    partitions);
            Properties p = new Properties();
            p.setProperty(EdgeConfig.Keys.PORT, String.valueOf(port));
            p.setProperty(EdgeConfig.Keys.API_KEYS, "bench:" + ApiKeys.hash(API_KEY));
            p.setProperty(EdgeConfig.Keys.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
            p.setProperty(EdgeConfig.Keys.JDBC_URL, pg.jdbcUrl());
            p.setProperty(EdgeConfig.Keys.JDBC_USER, pg.user());
            p.setProperty(EdgeConfig.Keys.JDBC_PASSWORD, pg.password());
            p.setProperty(EdgeConfig.Keys.TRACKING_BASE_URL, "http://t.example.com");
            p.setProperty(EdgeConfig.Keys.TRACKING_SECRET, TRACKING_SECRET);
            // Tuning under test: -Dedge.kafka.producer.linger.ms=5, -Dedge.worker-threads=...
            for (String name : System.getProperties().stringPropertyNames()) {
                if (name.startsWith("edge.")) {
                    p.setProperty(name, System.getProperty(name));
                }
            }
            EdgeConfig config = EdgeConfig.fromProperties(p);
            try (EdgeServer edge = EdgeServer.start(config)) {
                System.out.printf(
                        "EDGE READY http://127.0.0.1:%d --api-key %s --tracking-secret %s (stops in %d s)%n",
                        edge.port(), API_KEY, TRACKING_SECRET, seconds);
                System.out.flush();
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            }
        }
    }
}
