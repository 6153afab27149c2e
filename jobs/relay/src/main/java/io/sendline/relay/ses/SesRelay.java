package io.sendline.relay.ses;

import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Outcome;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayResult;
import io.sendline.relay.classify.Redaction;
import io.sendline.relay.classify.RetryHints;
import io.sendline.relay.classify.SesErrorClassifier;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClientBuilder;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.SesV2ClientBuilder;
import software.amazon.awssdk.services.sesv2.model.Destination;
import software.amazon.awssdk.services.sesv2.model.EmailContent;
import software.amazon.awssdk.services.sesv2.model.MessageTag;
import software.amazon.awssdk.services.sesv2.model.RawMessage;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;
import software.amazon.awssdk.services.sesv2.model.SendEmailResponse;

/**
 * Sends through Amazon SES with the v2 {@code SendEmail} API and raw MIME content, so our headers
 * and DKIM signature are kept. The pool's configuration set routes SES's events (delivery, bounce,
 * complaint) to the webhook, and the message tags {@value #JOB_ID_TAG} and {@value #POOL_TAG} let
 * those events join back to the job. Non-blocking by default (the SDK's async client on netty);
 * {@code httpClient=apache} uses the blocking client on a bounded executor instead.
 */
public final class SesRelay implements Relay {

    private static final Logger LOG = LoggerFactory.getLogger(SesRelay.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** Message tag carrying the Sendline job id. */
    public static final String JOB_ID_TAG = "sendline-job-id";

    /** Message tag carrying the sending pool. */
    public static final String POOL_TAG = "sendline-pool";

    /** SES's limit on a tag name or value. */
    static final int MAX_TAG_LENGTH = 256;

    private final SesSettings settings;
    private final Function<SendEmailRequest, CompletableFuture<SendEmailResponse>> call;
    private final List<AutoCloseable> resources;
    private final Object inFlightLock = new Object();
    private int inFlight; // guarded by inFlightLock
    private volatile boolean closed;

    private SesRelay(
            SesSettings settings,
            Function<SendEmailRequest, CompletableFuture<SendEmailResponse>> call,
            List<AutoCloseable> resources) {
        this.settings = settings;
        this.call = call;
        this.resources = resources;
    }

    /** A relay with credentials from the SDK's default chain. */
    public static SesRelay create(SesSettings settings) {
        DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        SesRelay relay = create(settings, credentials);
        relay.resources.add(credentials);
        return relay;
    }

    /** A relay with the given credentials (tests, or a caller that manages its own). */
    public static SesRelay create(SesSettings settings, AwsCredentialsProvider credentials) {
        Objects.requireNonNull(settings, "ses settings");
        Objects.requireNonNull(credentials, "aws credentials provider");
        ClientOverrideConfiguration override =
                ClientOverrideConfiguration.builder()
                        .apiCallTimeout(settings.apiCallTimeout())
                        .retryStrategy(retryStrategy(settings.maxAttempts()))
                        .build();
        List<AutoCloseable> resources = new ArrayList<>();
        if (settings.httpClient() == SesSettings.HttpClientKind.NETTY) {
            // Our own event loop group: the SDK's shared one shuts down with a 2 s quiet period,
            // which every close() (every Flink task stop) would wait for. Ours stops at once,
            // after close() has let the requests in flight finish.
            SdkEventLoopGroup group =
                    SdkEventLoopGroup.builder()
                            .numberOfThreads(
                                    Math.max(
                                            1,
                                            Math.min(
                                                    4, Runtime.getRuntime().availableProcessors())))
                            .build();
            resources.add(
                    () ->
                            group.eventLoopGroup()
                                    .shutdownGracefully(0, 5, TimeUnit.SECONDS)
                                    .await(5, TimeUnit.SECONDS));
            SesV2AsyncClientBuilder b =
                    SesV2AsyncClient.builder()
                            .credentialsProvider(credentials)
                            .overrideConfiguration(override)
                            .httpClientBuilder(
                                    NettyNioAsyncHttpClient.builder()
                                            .eventLoopGroup(group)
                                            .maxConcurrency(settings.maxConcurrency())
                                            .connectionTimeout(settings.connectTimeout()));
            if (settings.region() != null) {
                b.region(Region.of(settings.region()));
            }
            if (settings.endpoint() != null) {
                b.endpointOverride(URI.create(settings.endpoint()));
            }
            SesV2AsyncClient client = b.build();
            resources.add(client);
            return new SesRelay(settings, client::sendEmail, resources);
        }
        SesV2ClientBuilder b =
                SesV2Client.builder()
                        .credentialsProvider(credentials)
                        .overrideConfiguration(override)
                        .httpClientBuilder(
                                Apache5HttpClient.builder()
                                        .maxConnections(settings.maxConcurrency())
                                        .connectionTimeout(settings.connectTimeout()));
        if (settings.region() != null) {
            b.region(Region.of(settings.region()));
        }
        if (settings.endpoint() != null) {
            b.endpointOverride(URI.create(settings.endpoint()));
        }
        SesV2Client client = b.build();
        int n = INSTANCES.incrementAndGet();
        AtomicInteger threadNo = new AtomicInteger();
        ThreadPoolExecutor executor =
                new ThreadPoolExecutor(
                        settings.maxConcurrency(),
                        settings.maxConcurrency(),
                        30,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(Math.max(1000, settings.maxConcurrency() * 20)),
                        r -> {
                            Thread t =
                                    new Thread(
                                            r, "ses-relay-" + n + "-" + threadNo.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        executor.allowCoreThreadTimeOut(true);
        resources.add(client);
        resources.add(
                () -> {
                    executor.shutdown();
                    executor.awaitTermination(
                            settings.apiCallTimeout().toMillis(), TimeUnit.MILLISECONDS);
                });
        return new SesRelay(
                settings,
                request -> {
                    try {
                        return CompletableFuture.supplyAsync(
                                () -> client.sendEmail(request), executor);
                    } catch (RejectedExecutionException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                },
                resources);
    }

    private static RetryStrategy retryStrategy(int maxAttempts) {
        return maxAttempts <= 1
                ? AwsRetryStrategy.doNotRetry()
                : AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(maxAttempts)
                        .build();
    }

    @Override
    public String name() {
        return SesSettings.TYPE;
    }

    @Override
    public CompletableFuture<RelayResult> send(OutboundMessage message) {
        if (closed) {
            return CompletableFuture.completedFuture(
                    new RelayResult.Failed(
                            Outcome.RETRYABLE, 0, null, "SES relay is closed", null));
        }
        SendEmailRequest request = request(message, settings.configurationSet());
        CompletableFuture<SendEmailResponse> response;
        synchronized (inFlightLock) {
            inFlight++;
        }
        try {
            response = call.apply(request);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.handle(
                (r, error) -> {
                    synchronized (inFlightLock) {
                        if (--inFlight == 0) {
                            inFlightLock.notifyAll();
                        }
                    }
                    return error == null
                            ? (RelayResult) new RelayResult.Accepted(r.messageId())
                            : classify(error);
                });
    }

    /** The SendEmail request for {@code m}: raw MIME, one recipient, configuration set, tags. */
    static SendEmailRequest request(OutboundMessage m, String configurationSet) {
        List<MessageTag> tags = new ArrayList<>();
        tags.add(tag(JOB_ID_TAG, m.jobId()));
        if (m.pool() != null) {
            tags.add(tag(POOL_TAG, m.pool()));
        }
        if (m.tags() != null) {
            for (Map.Entry<String, String> e : m.tags().entrySet()) {
                if (!e.getKey().equals(JOB_ID_TAG) && !e.getKey().equals(POOL_TAG)) {
                    tags.add(tag(e.getKey(), e.getValue()));
                }
            }
        }
        return SendEmailRequest.builder()
                .content(
                        EmailContent.builder()
                                .raw(
                                        RawMessage.builder()
                                                .data(SdkBytes.fromByteArrayUnsafe(m.mime()))
                                                .build())
                                .build())
                .destination(Destination.builder().toAddresses(m.recipient()).build())
                .configurationSetName(configurationSet)
                .emailTags(tags)
                .build();
    }

    /** SES tag names and values allow ASCII letters, digits, _ and - only, 256 at most. */
    static MessageTag tag(String name, String value) {
        return MessageTag.builder().name(tagText(name)).value(tagText(value)).build();
    }

    static String tagText(String s) {
        if (s == null || s.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_TAG_LENGTH));
        for (int i = 0; i < s.length() && b.length() < MAX_TAG_LENGTH; i++) {
            char c = s.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || c == '_'
                            || c == '-';
            b.append(ok ? c : '_');
        }
        return b.toString();
    }

    /** Maps an SDK failure to a classified result. */
    static RelayResult.Failed classify(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof AwsServiceException) {
            AwsServiceException e = (AwsServiceException) t;
            AwsErrorDetails d = e.awsErrorDetails();
            String code = d == null ? null : d.errorCode();
            String message = d == null ? e.getMessage() : d.errorMessage();
            String retryAfter =
                    d == null || d.sdkHttpResponse() == null
                            ? null
                            : d.sdkHttpResponse().firstMatchingHeader("Retry-After").orElse(null);
            return SesErrorClassifier.classify(
                    code, e.statusCode(), message, RetryHints.parseRetryAfterHeader(retryAfter));
        }
        if (t instanceof SdkClientException) {
            // Timeouts, connection refused/reset, unresolvable host: no answer from SES.
            return new RelayResult.Failed(
                    Outcome.RETRYABLE,
                    0,
                    null,
                    Redaction.detail(t.getClass().getSimpleName() + ": " + t.getMessage()),
                    null);
        }
        if (t instanceof RejectedExecutionException) {
            return new RelayResult.Failed(
                    Outcome.THROTTLED, 0, null, "SES relay queue is full", null);
        }
        LOG.warn("unexpected SES failure", t);
        return new RelayResult.Failed(
                Outcome.RETRYABLE,
                0,
                null,
                Redaction.detail("unexpected: " + t.getClass().getName()),
                null);
    }

    /** Stops taking messages, waits (up to the API call timeout) for those in flight, closes. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + settings.apiCallTimeout().toNanos();
        synchronized (inFlightLock) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("closing the SES relay with {} requests still in flight", inFlight);
                    break;
                }
                try {
                    inFlightLock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warn("closing an SES client resource failed", e);
            }
        }
    }
}
