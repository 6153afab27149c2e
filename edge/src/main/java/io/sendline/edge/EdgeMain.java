package io.sendline.edge;

import io.sendline.edge.auth.ApiKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the edge standalone: {@code java -cp ... io.sendline.edge.EdgeMain [edge.properties]}.
 * Environment variables ({@code SENDLINE_EDGE_PORT=...}, see {@link EdgeConfig#envName}) override
 * the file, and system properties ({@code -Dedge.port=...}) override both. {@code EdgeMain hash-key
 * KEY} prints the hash to configure for an API key.
 */
public final class EdgeMain {

    private EdgeMain() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 2 && args[0].equals("hash-key")) {
            System.out.println(ApiKeys.hash(args[1]));
            return;
        }
        Properties p = new Properties();
        if (args.length == 1) {
            try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
                p.load(in);
            }
        } else if (args.length > 1) {
            System.err.println("usage: EdgeMain [edge.properties] | EdgeMain hash-key KEY");
            System.exit(2);
        }
        p = EdgeConfig.withEnvironment(p, System.getenv());
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("edge.")) {
                p.setProperty(name, System.getProperty(name));
            }
        }
        EdgeServer edge = EdgeServer.start(EdgeConfig.fromProperties(p));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    edge.close();
                                    stopped.countDown();
                                },
                                "edge-shutdown"));
        stopped.await();
    }
}
