package io.sendline.edge.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.edge.http.Inet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class TrackingRulesTest {

    @Test
    void thePixelIsARealOneByOneGif() throws Exception {
        var image = ImageIO.read(new java.io.ByteArrayInputStream(TrackingEndpoints.PIXEL));
        assertThat(image.getWidth()).isEqualTo(1);
        assertThat(image.getHeight()).isEqualTo(1);
    }

    @Test
    void redirectsOnlyToAbsoluteHttpUrls() {
        assertThat(TrackingEndpoints.safeRedirect("https://example.com/a?b=c#d")).isTrue();
        assertThat(TrackingEndpoints.safeRedirect("http://example.com")).isTrue();
        assertThat(TrackingEndpoints.safeRedirect("javascript:alert(1)")).isFalse();
        assertThat(TrackingEndpoints.safeRedirect("//evil.example")).isFalse();
        assertThat(TrackingEndpoints.safeRedirect("https://example.com/\r\nSet-Cookie: x"))
                .isFalse();
        assertThat(TrackingEndpoints.safeRedirect("https://user@evil.example/")).isFalse();
        assertThat(TrackingEndpoints.safeRedirect("https:///nohost")).isFalse();
        assertThat(TrackingEndpoints.safeRedirect("data:text/html,x")).isFalse();
    }

    @Test
    void oneClickBodyInBothEncodings() {
        assertThat(
                        TrackingEndpoints.isOneClick(
                                "application/x-www-form-urlencoded",
                                bytes("List-Unsubscribe=One-Click")))
                .isTrue();
        assertThat(TrackingEndpoints.isOneClick(null, bytes("a=b&List-Unsubscribe=One-Click")))
                .isTrue();
        assertThat(
                        TrackingEndpoints.isOneClick(
                                "application/x-www-form-urlencoded", bytes("List-Unsubscribe=Yes")))
                .isFalse();
        assertThat(TrackingEndpoints.isOneClick("application/x-www-form-urlencoded", bytes("")))
                .isFalse();
        String multipart =
                "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assertThat(
                        TrackingEndpoints.isOneClick(
                                "multipart/form-data; boundary=XyZ", bytes(multipart)))
                .isTrue();
        assertThat(
                        TrackingEndpoints.isOneClick(
                                "multipart/form-data; boundary=XyZ",
                                bytes(multipart.replace("One-Click", "No"))))
                .isFalse();
    }

    @Test
    void machineOpenHeuristics() {
        MachineOpenDetector d =
                new MachineOpenDetector(
                        List.of("17.0.0.0/8", "2620:149::/32"), List.of("bot", "Barracuda"));
        String chrome =
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36";
        assertThat(d.isMachine("Mozilla/5.0", Inet.parseLiteral("203.0.113.9"))).isTrue();
        assertThat(d.isMachine(chrome, Inet.parseLiteral("17.58.1.2"))).isTrue();
        assertThat(d.isMachine(chrome, Inet.parseLiteral("2620:149:1::5"))).isTrue();
        assertThat(d.isMachine(null, Inet.parseLiteral("203.0.113.9"))).isTrue();
        assertThat(
                        d.isMachine(
                                "Mozilla/5.0 (compatible; BarracudaCentral)",
                                (java.net.InetAddress) null))
                .isTrue();
        assertThat(d.isMachine(chrome, Inet.parseLiteral("203.0.113.9"))).isFalse();
        assertThat(
                        d.isMachine(
                                "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
                                "66.249.84.1"))
                .isFalse();
        assertThat(Inet.parseLiteral("example.com")).as("never resolves names").isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
