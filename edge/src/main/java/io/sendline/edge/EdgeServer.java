package io.sendline.edge;

import com.zaxxer.hikari.HikariDataSource;
import io.sendline.compose.Composer;
import io.sendline.compose.tracking.TrackingLinks;
import io.sendline.edge.api.EmailRequestParser;
import io.sendline.edge.api.EmailsApi;
import io.sendline.edge.api.HeaderPolicy;
import io.sendline.edge.api.PebbleTemplateValidator;
import io.sendline.edge.api.SuppressionsApi;
import io.sendline.edge.api.TemplateCatalog;
import io.sendline.edge.api.TemplateValidator;
import io.sendline.edge.api.TemplatesApi;
import io.sendline.edge.auth.ApiKeys;
import io.sendline.edge.db.AcceptWriter;
import io.sendline.edge.db.Database;
import io.sendline.edge.db.JobQueries;
import io.sendline.edge.db.SuppressionStore;
import io.sendline.edge.db.TemplateStore;
import io.sendline.edge.http.EdgeHandler;
import io.sendline.edge.http.Response;
import io.sendline.edge.http.Route;
import io.sendline.edge.http.Router;
import io.sendline.edge.kafka.EventPublisher;
import io.sendline.edge.tracking.MachineOpenDetector;
import io.sendline.edge.tracking.TrackingEndpoints;
import io.sendline.edge.webhooks.DedupeCache;
import io.sendline.edge.webhooks.RelayEventSink;
import io.sendline.edge.webhooks.mailgun.MailgunEventMapper;
import io.sendline.edge.webhooks.mailgun.MailgunSignatureVerifier;
import io.sendline.edge.webhooks.mailgun.MailgunWebhook;
import io.sendline.edge.webhooks.sandbox.SandboxWebhook;
import io.sendline.edge.webhooks.sendgrid.SendGridEventMapper;
import io.sendline.edge.webhooks.sendgrid.SendGridSignatureVerifier;
import io.sendline.edge.webhooks.sendgrid.SendGridWebhook;
import io.sendline.edge.webhooks.ses.CachingCertificateFetcher;
import io.sendline.edge.webhooks.ses.CertificateFetcher;
import io.sendline.edge.webhooks.ses.HttpsCertificateFetcher;
import io.sendline.edge.webhooks.ses.HttpsSubscriptionConfirmer;
import io.sendline.edge.webhooks.ses.SesEventMapper;
import io.sendline.edge.webhooks.ses.SesWebhook;
import io.sendline.edge.webhooks.ses.SnsSignatureVerifier;
import io.sendline.edge.webhooks.ses.SubscriptionConfirmer;
import io.sendline.schemas.Topics;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * Sendline's HTTP edge: the email, template and suppression API (API key), the relay webhooks (SES
 * through SNS, SendGrid, Mailgun, the sandbox relay) and the tracking endpoints (open pixel, click
 * redirect, one-click unsubscribe), served by Undertow, writing to Kafka and PostgreSQL.
 *
 * <pre>{@code
 * try (EdgeServer edge = EdgeServer.builder().config(config).build().start()) {
 *     ... edge.port() ...
 * }
 * }</pre>
 */
public final class EdgeServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);

    /** Topics the edge writes; their metadata is fetched at start. */
    static final List<Topics> TOPICS =
            List.of(
                    Topics.JOBS_TRANSACTIONAL,
                    Topics.JOBS_MARKETING,
                    Topics.JOBS_CANCELLATIONS,
                    Topics.TEMPLATES,
                    Topics.SUPPRESSIONS,
                    Topics.RELAY_EVENTS);

    private final EdgeConfig config;
    private final Router router;
    private final EventPublisher publisher;
    private final DataSource dataSource;
    private final boolean ownsDataSource;
    private final AcceptWriter writer;
    private final ThreadPoolExecutor workers;
    private final Undertow undertow;
    private volatile int port = -1;
    private final java.util.concurrent.atomic.AtomicBoolean closed =
            new java.util.concurrent.atomic.AtomicBoolean();

    private EdgeServer(Builder b) {
        this.config = b.config;
        Clock clock = b.clock;
        this.ownsDataSource = b.dataSource == null;
        this.dataSource =
                b.dataSource != null
                        ? b.dataSource
                        : Database.pool(
                                config.jdbcUrl(),
                                config.jdbcUser(),
                                config.jdbcPassword(),
                                config.jdbcPoolSize());
        Producer<byte[], byte[]> producer =
                b.producer != null
                        ? b.producer
                        : new KafkaProducer<>(
                                EventPublisher.producerProperties(
                                        config.kafkaBootstrapServers(),
                                        config.producerOverrides()));
        this.publisher = new EventPublisher(producer, config.topicPrefix());
        AtomicInteger n = new AtomicInteger();
        this.workers =
                new ThreadPoolExecutor(
                        config.workerThreads(),
                        config.workerThreads(),
                        60,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(10_000),
                        r -> {
                            Thread t = new Thread(r, "edge-worker-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        },
                        new ThreadPoolExecutor.AbortPolicy());
        this.writer = new AcceptWriter(dataSource, 2, 10_000, config.idempotencyTtl(), clock);

        TemplateStore templates = new TemplateStore(dataSource);
        TemplateCatalog catalog = new TemplateCatalog(templates);
        SuppressionStore suppressions = new SuppressionStore(dataSource);
        MachineOpenDetector machine =
                new MachineOpenDetector(config.machineOpenCidrs(), config.machineUserAgents());
        RelayEventSink sink =
                new RelayEventSink(publisher, new DedupeCache(config.dedupeCapacity()));
        TemplateValidator validator =
                b.templateValidator != null ? b.templateValidator : new PebbleTemplateValidator();
        long webhookBody = config.limits().maxWebhookBodyBytes();

        this.router = new Router();
        List<Route> routes = new ArrayList<>();
        routes.addAll(
                new EmailsApi(
                                config,
                                new EmailRequestParser(
                                        config,
                                        new HeaderPolicy(config.extraAllowedHeaders()),
                                        catalog::exists,
                                        clock),
                                writer,
                                new JobQueries(dataSource),
                                publisher,
                                workers,
                                clock)
                        .routes());
        routes.addAll(
                new TemplatesApi(config, templates, catalog, validator, publisher, clock).routes());
        routes.addAll(new SuppressionsApi(config, suppressions, publisher, clock).routes());
        routes.add(
                new SesWebhook(
                                new SnsSignatureVerifier(
                                        b.certificateFetcher, clock, config.snsMaxAge()),
                                b.subscriptionConfirmer,
                                new SesEventMapper(machine),
                                sink,
                                config.snsTopicArns(),
                                webhookBody,
                                clock)
                        .route());
        routes.add(
                new SendGridWebhook(
                                config.sendGridPublicKey() == null
                                        ? null
                                        : new SendGridSignatureVerifier(
                                                config.sendGridPublicKey(),
                                                clock,
                                                config.webhookTolerance()),
                                new SendGridEventMapper(machine),
                                sink,
                                webhookBody,
                                clock)
                        .route());
        routes.add(
                new MailgunWebhook(
                                config.mailgunSigningKey() == null
                                        ? null
                                        : new MailgunSignatureVerifier(
                                                config.mailgunSigningKey(),
                                                clock,
                                                config.webhookTolerance(),
                                                config.dedupeCapacity()),
                                new MailgunEventMapper(machine),
                                sink,
                                webhookBody,
                                clock)
                        .route());
        routes.add(
                new SandboxWebhook(
                                config.sandboxSecret(),
                                sink,
                                webhookBody,
                                config.webhookTolerance(),
                                clock)
                        .route());
        routes.addAll(
                new TrackingEndpoints(
                                new TrackingLinks(
                                        config.trackingBaseUrl(), config.trackingSecret()),
                                machine,
                                sink,
                                suppressions,
                                publisher,
                                64 * 1024,
                                clock)
                        .routes());
        byte[] openapi = openApiDocument();
        routes.add(
                Route.get(
                        "/openapi.yaml",
                        Route.Access.PUBLIC,
                        Route.Execution.IO_THREAD,
                        call ->
                                CompletableFuture.completedFuture(
                                        Response.of(200, "application/yaml", openapi))));
        byte[] health = "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        routes.add(
                Route.get(
                        "/health",
                        Route.Access.PUBLIC,
                        Route.Execution.IO_THREAD,
                        call ->
                                CompletableFuture.completedFuture(
                                        Response.of(200, Response.JSON, health))));
        routes.forEach(router::add);

        int io =
                config.ioThreads() > 0
                        ? config.ioThreads()
                        : Runtime.getRuntime().availableProcessors();
        this.undertow =
                Undertow.builder()
                        .addHttpListener(config.port(), config.host())
                        .setIoThreads(io)
                        .setWorkerThreads(2)
                        .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
                        .setServerOption(UndertowOptions.MAX_PARAMETERS, 100)
                        .setServerOption(UndertowOptions.MAX_HEADERS, 100)
                        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
                        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 30_000)
                        .setServerOption(
                                UndertowOptions.MAX_ENTITY_SIZE,
                                config.limits().maxBatchBodyBytes())
                        .setSocketOption(Options.BACKLOG, 1024)
                        .setHandler(
                                new EdgeHandler(
                                        router,
                                        new ApiKeys(config.apiKeyHashes()),
                                        workers,
                                        config.trustForwardedFor()))
                        .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds and starts an edge with its own PostgreSQL pool and Kafka producer: the stable entry
     * point for embedders (the local stack, benchmarks). {@link #close()} stops it.
     *
     * @throws IllegalStateException when it cannot listen (port in use); nothing is left running
     */
    public static EdgeServer start(EdgeConfig config) {
        return builder().config(config).build().start();
    }

    /**
     * Starts listening; returns this. When listening fails, everything the server holds is released
     * and an {@link IllegalStateException} says why.
     */
    public EdgeServer start() {
        publisher.warmUp(TOPICS, Duration.ofSeconds(10));
        try {
            undertow.start();
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException(
                    "The edge cannot listen on " + config.host() + ":" + config.port() + ": " + e,
                    e);
        }
        InetSocketAddress address =
                (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
        this.port = address.getPort();
        LOG.info(
                "Sendline edge listening on http://{}:{} ({} routes, {} API key(s))",
                config.host(),
                port,
                router.routes().size(),
                config.apiKeyHashes().size());
        return this;
    }

    /** The port listened on (the real one when configured with 0); -1 before {@link #start()}. */
    public int port() {
        return port;
    }

    /** {@code http://host:port} of the running server (loopback when bound to any address). */
    public String baseUrl() {
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Every route the server answers, for the OpenAPI check and the docs. */
    public List<Route> routes() {
        return router.routes();
    }

    /** The configuration in force. */
    public EdgeConfig config() {
        return config;
    }

    /** Stops accepting, finishes what is in flight, then closes the producer and the pool. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            undertow.stop();
        } catch (RuntimeException e) {
            LOG.warn("Stopping Undertow failed", e);
        }
        workers.shutdown();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.close();
        publisher.close();
        if (ownsDataSource && dataSource instanceof HikariDataSource h) {
            h.close();
        }
        LOG.info("Sendline edge stopped");
    }

    static byte[] openApiDocument() {
        try (InputStream in = EdgeServer.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds an {@link EdgeServer}; only the configuration is required. */
    public static final class Builder {
        private EdgeConfig config;
        private DataSource dataSource;
        private Producer<byte[], byte[]> producer;
        private CertificateFetcher certificateFetcher =
                new CachingCertificateFetcher(
                        new HttpsCertificateFetcher(),
                        Duration.ofHours(12),
                        100,
                        Clock.systemUTC());
        private SubscriptionConfirmer subscriptionConfirmer = new HttpsSubscriptionConfirmer();
        private TemplateValidator templateValidator;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder config(EdgeConfig config) {
            this.config = config;
            return this;
        }

        /** Use this pool instead of one built from the configuration (not closed by the edge). */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        /** Use this producer instead of one built from the configuration (closed by the edge). */
        public Builder producer(Producer<byte[], byte[]> producer) {
            this.producer = producer;
            return this;
        }

        /** How SNS signing certificates are fetched (default: https, cached 12 h). */
        public Builder certificateFetcher(CertificateFetcher fetcher) {
            this.certificateFetcher = Objects.requireNonNull(fetcher);
            return this;
        }

        /** How SNS subscriptions are confirmed (default: https GET). */
        public Builder subscriptionConfirmer(SubscriptionConfirmer confirmer) {
            this.subscriptionConfirmer = Objects.requireNonNull(confirmer);
            return this;
        }

        /** How templates are validated (default: Pebble compile). */
        public Builder templateValidator(TemplateValidator validator) {
            this.templateValidator = validator;
            return this;
        }

        /** Validate templates by compiling them with this composer. */
        public Builder composer(Composer composer) {
            this.templateValidator = TemplateValidator.of(composer);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public EdgeServer build() {
            if (config == null) {
                throw new IllegalArgumentException(
                        "EdgeServer needs a configuration: builder().config(...)");
            }
            return new EdgeServer(this);
        }
    }
}
