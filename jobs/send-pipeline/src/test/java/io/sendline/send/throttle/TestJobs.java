package io.sendline.send.throttle;

import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import java.time.Instant;

/** Small jobs for throttle and dispatch tests. */
public final class TestJobs {

    private TestJobs() {}

    /** A due job of {@code pool} to {@code local@domain}. */
    public static EmailJob job(String id, EmailType type, String pool, String to, String campaign) {
        return new EmailJob(
                id,
                type,
                pool,
                to,
                null,
                "news@example.com",
                null,
                null,
                null,
                null,
                "Hi",
                "<p>Hi</p>",
                null,
                "{}",
                campaign,
                null,
                null,
                null,
                null,
                null,
                0,
                null,
                Instant.now());
    }

    public static EmailJob marketing(String id, String to) {
        return job(id, EmailType.MARKETING, "bulk", to, null);
    }
}
