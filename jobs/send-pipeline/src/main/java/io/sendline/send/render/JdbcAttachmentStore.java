package io.sendline.send.render;

import io.sendline.compose.AttachmentContent;
import io.sendline.schemas.Attachment;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attachment bytes from PostgreSQL table {@code email_attachment} (stored once by content hash by
 * the edge), with a small per-subtask LRU cache so that a campaign's shared attachment is read once
 * per subtask, not once per recipient.
 */
public final class JdbcAttachmentStore implements AttachmentStore {

    private static final long serialVersionUID = 1L;

    /** Bytes kept in the cache of one subtask. */
    static final long CACHE_BYTES = 32L * 1024 * 1024;

    private final String url;
    private final String user;
    private final String password;

    public JdbcAttachmentStore(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public Session open() {
        return new JdbcSession();
    }

    private final class JdbcSession implements Session {
        private Connection connection;
        private long cachedBytes;
        private final LinkedHashMap<String, AttachmentContent> cache =
                new LinkedHashMap<>(16, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, AttachmentContent> e) {
                        if (cachedBytes > CACHE_BYTES) {
                            cachedBytes -= e.getValue().content().length;
                            return true;
                        }
                        return false;
                    }
                };

        @Override
        public AttachmentContent fetch(Attachment ref) throws Exception {
            AttachmentContent hit = cache.get(ref.sha256());
            if (hit != null) {
                return new AttachmentContent(ref.filename(), ref.contentType(), hit.content());
            }
            byte[] bytes = load(ref.sha256());
            AttachmentContent content =
                    new AttachmentContent(ref.filename(), ref.contentType(), bytes);
            cachedBytes += bytes.length;
            cache.put(ref.sha256(), content);
            return content;
        }

        private byte[] load(String sha256) throws Exception {
            for (int attempt = 0; ; attempt++) {
                try {
                    if (connection == null || connection.isClosed()) {
                        connection = DriverManager.getConnection(url, user, password);
                    }
                    try (PreparedStatement ps =
                            connection.prepareStatement(
                                    "SELECT content FROM email_attachment WHERE sha256 = ?")) {
                        ps.setString(1, sha256);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) {
                                throw new MissingAttachmentException(
                                        "attachment " + sha256 + " is not stored");
                            }
                            return rs.getBytes(1);
                        }
                    }
                } catch (SQLException e) {
                    // One reconnect: the connection may have been idle-closed by the server.
                    close();
                    if (attempt >= 1) {
                        throw e;
                    }
                }
            }
        }

        @Override
        public void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
                connection = null;
            }
        }
    }
}
