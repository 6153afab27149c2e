package io.sendline.edge.webhooks.ses;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Confirms a subscription with an https GET of the SubscribeURL, without following redirects. */
public final class HttpsSubscriptionConfirmer implements SubscriptionConfirmer {

    private final HttpClient client =
            HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();

    @Override
    public void confirm(URI subscribeUrl) throws IOException {
        HttpRequest request =
                HttpRequest.newBuilder(subscribeUrl).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) {
                throw new IOException("SubscribeURL answered HTTP " + r.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
