package io.sendline.edge.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Provider sample payloads in src/test/resources/samples, shaped like their documentation's. */
public final class Samples {

    private Samples() {}

    /** The sample with {@code JOB_ID} replaced. */
    public static String load(String name, String jobId) {
        try (InputStream in = Samples.class.getResourceAsStream("/samples/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("JOB_ID", jobId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
