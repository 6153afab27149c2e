package io.sendline.compose.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.compose.CompositionException;
import java.nio.charset.StandardCharsets;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.junit.jupiter.api.Test;

class HeaderEncoderTest {

    private static String unstructured(String value) {
        ByteSink sink = new ByteSink(16);
        HeaderEncoder.unstructured(sink, "Subject", value);
        return new String(sink.toByteArray(), StandardCharsets.UTF_8);
    }

    private static void assertFolded(String field) {
        String[] lines = field.split("\r\n");
        for (int i = 0; i < lines.length; i++) {
            assertThat(lines[i].length()).as(field).isLessThanOrEqualTo(78);
            if (i > 0) {
                assertThat(lines[i]).startsWith(" ");
            }
        }
    }

    @Test
    void plainAsciiIsFoldedAtSpaces() {
        String value = "word ".repeat(40).strip();
        String field = unstructured(value);
        assertFolded(field);
        assertThat(field.replace("\r\n", ""))
                .isEqualTo("Subject: " + value + "\r\n".replace("\r\n", ""));
    }

    @Test
    void nonAsciiBecomesEncodedWordsOfAtMost75Characters() {
        String value = "Grüße aus Köln – 日本語 " + "ä".repeat(80) + " 🎉 done";
        String field = unstructured(value);
        assertFolded(field);
        String body = field.substring("Subject:".length()).replace("\r\n", "");
        for (String word : body.trim().split(" ")) {
            assertThat(word.length()).isLessThanOrEqualTo(75);
            assertThat(word).startsWith("=?UTF-8?Q?").endsWith("?=");
        }
        assertThat(DecoderUtil.decodeEncodedWords(body.strip(), DecodeMonitor.STRICT))
                .isEqualTo(value);
    }

    @Test
    void encodedWordLookalikesAreEncodedSoTheyDecodeAsTyped() {
        String value = "=?UTF-8?B?SGk=?= hello";
        String body = unstructured(value).substring("Subject:".length()).replace("\r\n", "");
        assertThat(DecoderUtil.decodeEncodedWords(body.strip(), DecodeMonitor.STRICT))
                .isEqualTo(value);
    }

    @Test
    void longUnbrokenAsciiStaysUnder998() {
        String value = "x".repeat(2000);
        String field = unstructured(value);
        assertFolded(field);
        String body = field.substring("Subject:".length()).replace("\r\n", "");
        assertThat(DecoderUtil.decodeEncodedWords(body.strip(), DecodeMonitor.STRICT))
                .isEqualTo(value);
    }

    @Test
    void controlsAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> HeaderEncoder.checkNoControls("a\r\nb", "subject"))
                .isInstanceOf(CompositionException.class)
                .hasMessage("subject contains CR, LF or NUL");
        assertThatThrownBy(() -> HeaderEncoder.checkNoControls("a\u001bb", "subject"))
                .isInstanceOf(CompositionException.class)
                .hasMessage("subject contains a control character");
    }

    @Test
    void addressesGetPunycodeDomains() throws Exception {
        MailAddress a = MailAddress.parse("Info@Bücher.Example", "sender");
        assertThat(a.headerForm()).isEqualTo("Info@xn--bcher-kva.example");
        ByteSink sink = new ByteSink(16);
        HeaderEncoder.address(sink, "From", "O'Brien, Ltd.", a);
        assertThat(new String(sink.toByteArray(), StandardCharsets.UTF_8))
                .isEqualTo("From: \"O'Brien, Ltd.\" <Info@xn--bcher-kva.example>\r\n");
    }
}
