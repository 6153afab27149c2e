package io.sendline.bench.edge;

import io.sendline.edge.EdgeConfig;
import io.sendline.edge.EdgeServer;
import io.sendline.edge.auth.ApiKeys;
import io.sendline.embedded.EmbeddedKafka;
import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.schemas.Topics;
import io.sendline.schemas.db.Migrations;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The edge with a local broker and PostgreSQL, for {@link EdgeLoad}: starts an in-process Kafka
 * broker, an embedded PostgreSQL (migrations applied, topics created) and the edge on
 * 127.0.0.1:{port}, prints the API key and tracking secret to use, and stops by itself after {@code
 * seconds}.
 *
 * <pre>EdgeBenchStack [port=18080] [seconds=900] [partitions=4]</pre>
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
            EdgeConfig config =
                    EdgeConfig.builder()
                            .port(port)
                            .apiKeyHash("bench", ApiKeys.hash(API_KEY))
                            .kafkaBootstrapServers(kafka.bootstrapServers())
                            .jdbcUrl(pg.jdbcUrl())
                            .jdbcUser(pg.user())
                            .jdbcPassword(pg.password())
                            .trackingBaseUrl("http://t.example.com")
                            .trackingSecret(TRACKING_SECRET.getBytes(StandardCharsets.UTF_8))
                            .build();
            try (EdgeServer edge = EdgeServer.builder().config(config).build().start()) {
                System.out.printf(
                        "EDGE READY http://127.0.0.1:%d --api-key %s --tracking-secret %s (stops in %d s)%n",
                        edge.port(), API_KEY, TRACKING_SECRET, seconds);
                System.out.flush();
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            }
        }
    }
}
