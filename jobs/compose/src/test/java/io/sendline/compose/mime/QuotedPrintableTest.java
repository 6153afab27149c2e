package io.sendline.compose.mime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.compose.dkim.DkimSigner;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.junit.jupiter.api.Test;

class QuotedPrintableTest {

    private static String roundTrip(String text, ByteSink sink) throws Exception {
        sink.clear();
        new QuotedPrintable().encode(text, sink);
        sink.crlf();
        byte[] encoded = sink.toByteArray();
        // in a message a boundary line follows the part: trailing empty lines are not the body's
        // end
        sink.ascii("--b");
        sink.crlf();
        byte[] inMessage = sink.toByteArray();
        assertThat(DkimSigner.isRelaxedCanonicalBody(inMessage, 0, inMessage.length))
                .as(text)
                .isTrue();
        String s = new String(encoded, StandardCharsets.US_ASCII);
        for (String line : s.split("\r\n")) {
            assertThat(line.length()).isLessThanOrEqualTo(76);
            assertThat(line).doesNotStartWith(".").doesNotStartWith("From ");
        }
        byte[] decoded =
                new QuotedPrintableInputStream(
                                new ByteArrayInputStream(encoded), DecodeMonitor.STRICT)
                        .readAllBytes();
        return new String(decoded, StandardCharsets.UTF_8);
    }

    @Test
    void decodesBackToTheTextWithCrlfLineBreaks() throws Exception {
        ByteSink sink = new ByteSink(16);
        String text = "a=b  c \t\nÉlodie 🎉 €\r\n.dot\nFrom me\nFrom\n" + "x".repeat(200) + " \n\n";
        assertThat(roundTrip(text, sink))
                .isEqualTo(text.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n");
    }

    @Test
    void randomTextsRoundTripAndStayCanonical() throws Exception {
        Random r = new Random(42);
        String alphabet = "ab .F\t\n\r=€é🎉-_x ";
        ByteSink sink = new ByteSink(16);
        for (int i = 0; i < 500; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(300);
            for (int k = 0; k < n; k++) {
                int cp =
                        alphabet.codePointAt(
                                alphabet.offsetByCodePoints(
                                        0,
                                        r.nextInt(alphabet.codePointCount(0, alphabet.length()))));
                sb.appendCodePoint(cp);
            }
            String text = sb.toString();
            String expected =
                    text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n") + "\r\n";
            assertThat(roundTrip(text, sink)).as(text).isEqualTo(expected);
        }
    }
}
