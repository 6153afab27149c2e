package io.sendline.compose.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.compose.mime.ByteSink;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DkimSignerTest {

    private static String canon(String field) {
        byte[] b = field.getBytes(StandardCharsets.UTF_8);
        ByteSink out = new ByteSink(16);
        DkimSigner.canonicalizeHeader(b, 0, b.length, out);
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void relaxedHeaderCanonicalizationFollowsRfc6376Examples() {
        // RFC 6376 section 3.4.5
        assertThat(canon("A: X\r\n")).isEqualTo("a:X\r\n");
        assertThat(canon("B : Y\t\r\n\tZ  \r\n")).isEqualTo("b:Y Z\r\n");
        assertThat(canon("Subject:  \t a  b \r\n  c\t\r\n")).isEqualTo("subject:a b c\r\n");
    }

    @Test
    void relaxedBodyCheckRejectsWhatCanonicalizationWouldChange() {
        assertThat(ok("a b\r\nc\r\n")).isTrue();
        assertThat(ok("")).isTrue();
        assertThat(ok("a  b\r\n")).isFalse();
        assertThat(ok("a \r\n")).isFalse();
        assertThat(ok("a\tb\r\n")).isFalse();
        assertThat(ok("a\r\n\r\n")).isFalse();
        assertThat(ok("a\nb\r\n")).isFalse();
        assertThat(ok("a")).isFalse();
    }

    private static boolean ok(String body) {
        byte[] b = body.getBytes(StandardCharsets.US_ASCII);
        return DkimSigner.isRelaxedCanonicalBody(b, 0, b.length);
    }
}
