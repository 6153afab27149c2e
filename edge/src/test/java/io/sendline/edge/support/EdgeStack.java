package io.sendline.edge.support;

import io.sendline.edge.EdgeConfig;
import io.sendline.edge.EdgeServer;
import io.sendline.edge.auth.ApiKeys;
import io.sendline.embedded.EmbeddedKafka;
import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.schemas.Json;
import io.sendline.schemas.Topics;
import io.sendline.schemas.db.Migrations;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real stack for all edge ITCases in the JVM: an in-process Kafka broker, an embedded
 * PostgreSQL with the migrations applied, and the edge on a random loopback port, configured with
 * test keys for every webhook. Started on first use, closed when the test run ends.
 */
public final class EdgeStack implements ExtensionContext.Store.CloseableResource {

    public static final String API_KEY = "it-key-0123456789abcdef";
    public static final byte[] TRACKING_SECRET =
            "tracking-secret-for-tests-0123456789".getBytes(StandardCharsets.UTF_8);
    public static final String TRACKING_BASE = "http://t.example.com";
    public static final byte[] MAILGUN_KEY =
            "key-mailgun-test-0123456789".getBytes(StandardCharsets.UTF_8);
    public static final String SANDBOX_SECRET = "sandbox-secret-0123456789";

    private static EdgeStack instance;

    public final EmbeddedKafka kafka;
    public final EmbeddedPostgres postgres;
    public final EdgeServer edge;
    public final KeyPair snsKeys = TestCertificates.rsa();
    public final X509Certificate snsCert = TestCertificates.selfSigned(snsKeys);
    public final KeyPair sendGridKeys = TestCertificates.p256();
    public final List<URI> fetchedCertificates = new CopyOnWriteArrayList<>();
    public final List<URI> confirmedSubscriptions = new CopyOnWriteArrayList<>();
    public final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();

    private EdgeStack() {
        kafka = EmbeddedKafka.start();
        postgres = EmbeddedPostgres.start();
        Migrations.apply(postgres.dataSource());
        kafka.createTopics(
                Arrays.stream(Topics.values())
                        .collect(Collectors.toMap(Topics::topic, Topics::compacted)),
                2);
        EdgeConfig config =
                EdgeConfig.builder()
                        .port(0)
                        .workerThreads(8)
                        .apiKeyHash("it", ApiKeys.hash(API_KEY))
                        .kafkaBootstrapServers(kafka.bootstrapServers())
                        .jdbcUrl(postgres.jdbcUrl())
                        .jdbcUser(postgres.user())
                        .jdbcPassword(postgres.password())
                        .jdbcPoolSize(6)
                        .trackingBaseUrl(TRACKING_BASE)
                        .trackingSecret(TRACKING_SECRET)
                        .snsTopicArn(SnsSigner.TOPIC_ARN)
                        .sendGridPublicKey(
                                Base64.getEncoder()
                                        .encodeToString(sendGridKeys.getPublic().getEncoded()))
                        .mailgunSigningKey(MAILGUN_KEY)
                        .sandboxSecret(SANDBOX_SECRET.getBytes(StandardCharsets.UTF_8))
                        .limits(
                                new EdgeConfig.Limits(
                                        2L << 20,
                                        4L << 20,
                                        256L << 10,
                                        500,
                                        50,
                                        1L << 20,
                                        3L << 19,
                                        Duration.ofDays(30)))
                        .build();
        edge =
                EdgeServer.builder()
                        .config(config)
                        .certificateFetcher(
                                url -> {
                                    fetchedCertificates.add(url);
                                    return snsCert;
                                })
                        .subscriptionConfirmer(confirmedSubscriptions::add)
                        .build()
                        .start();
    }

    /** The shared stack (started on first call). */
    public static synchronized EdgeStack get(ExtensionContext context) {
        if (instance == null) {
            instance = new EdgeStack();
            context.getRoot()
                    .getStore(ExtensionContext.Namespace.GLOBAL)
                    .put("sendline-edge-stack", instance);
        }
        return instance;
    }

    /** Starts the stack before the first ITCase class that uses it. */
    public static final class Extension implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            get(context);
        }
    }

    /** The running stack; call from tests of a class extended with {@link Extension}. */
    public static EdgeStack stack() {
        if (instance == null) {
            throw new IllegalStateException(
                    "annotate the test with @ExtendWith(EdgeStack.Extension.class)");
        }
        return instance;
    }

    public String base() {
        return "http://127.0.0.1:" + edge.port();
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
    }

    public HttpRequest.Builder api(String path) {
        return request(path).header("Authorization", "Bearer " + API_KEY);
    }

    public HttpResponse<String> send(HttpRequest r) {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> postJson(String path, String json) {
        return send(
                api(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build());
    }

    public HttpResponse<String> get(String path) {
        return send(api(path).GET().build());
    }

    /** Parses a response body as a map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> json(HttpResponse<String> r) {
        return Json.fromString(r.body(), Map.class);
    }

    /** The records of a topic whose key matches, read up to the current end. */
    public List<ConsumerRecord<byte[], byte[]>> records(String topic, Predicate<String> key) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic, 0, Duration.ofSeconds(20))) {
            if (r.key() != null && key.test(new String(r.key(), StandardCharsets.UTF_8))) {
                out.add(r);
            }
        }
        return out;
    }

    /** The payloads of a topic with this key, parsed. */
    public <T> List<T> values(Topics topic, String key, Class<T> type) {
        return records(topic.topic(), key::equals).stream()
                .map(r -> Json.fromBytes(r.value(), type))
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        edge.close();
        kafka.close();
        postgres.close();
    }
}
