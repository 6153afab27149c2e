package io.sendline.edge.webhooks.ses;

import java.io.IOException;
import java.net.URI;

/**
 * Confirms an SNS subscription by visiting its SubscribeURL (already validated by {@link SnsUrls}).
 * Behind an interface so tests record the call instead of leaving the machine.
 */
@FunctionalInterface
public interface SubscriptionConfirmer {
    void confirm(URI subscribeUrl) throws IOException;
}
