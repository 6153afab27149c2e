package io.sendline.edge.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * API-key authentication for {@code Authorization: Bearer <key>}. The edge never holds the keys
 * themselves, only their SHA-256 (configured as {@code keyId:sha256hex}); a presented key is hashed
 * and looked up. Keys are long random secrets, so a fast unsalted hash is enough (unlike passwords,
 * they cannot be guessed from a dictionary).
 */
public final class ApiKeys {

    private static final HexFormat HEX = HexFormat.of();
    private static final int MIN_KEY_LENGTH = 16;

    private final Map<String, String> keyIdByHash;

    /**
     * @param hashesById key id → lower-case hex SHA-256 of the key
     */
    public ApiKeys(Map<String, String> hashesById) {
        Map<String, String> byHash = new HashMap<>();
        hashesById.forEach(
                (id, hash) -> {
                    String h = hash.toLowerCase(Locale.ROOT);
                    if (!h.matches("[0-9a-f]{64}")) {
                        throw new IllegalArgumentException(
                                "API key " + id + ": the hash must be 64 hex digits (SHA-256)");
                    }
                    if (byHash.put(h, id) != null) {
                        throw new IllegalArgumentException("two API keys share one hash");
                    }
                });
        this.keyIdByHash = Map.copyOf(byHash);
    }

    /** The hex SHA-256 to configure for a key. */
    public static String hash(String key) {
        // One digest per thread: every API call hashes the presented key.
        return HEX.formatHex(SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static final ThreadLocal<MessageDigest> SHA256 =
            ThreadLocal.withInitial(
                    () -> {
                        try {
                            return MessageDigest.getInstance("SHA-256");
                        } catch (NoSuchAlgorithmException e) {
                            throw new IllegalStateException(e);
                        }
                    });

    /**
     * The key id for an {@code Authorization} header value, or empty when the header is missing,
     * not a bearer token, or not a known key.
     */
    public Optional<String> authenticate(String authorizationHeader) {
        if (authorizationHeader == null
                || authorizationHeader.length() < 7 + MIN_KEY_LENGTH
                || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String key = authorizationHeader.substring(7).trim();
        if (key.length() < MIN_KEY_LENGTH || key.length() > 512) {
            return Optional.empty();
        }
        return Optional.ofNullable(keyIdByHash.get(hash(key)));
    }

    /** Number of configured keys. */
    public int size() {
        return keyIdByHash.size();
    }
}
