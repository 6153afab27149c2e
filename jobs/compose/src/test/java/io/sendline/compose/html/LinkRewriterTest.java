package io.sendline.compose.html;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinkRewriterTest {

    private static final LinkRewriter.UrlSigner SIGNER =
            target -> "https://t.example/c/" + target.length() + "?" + target;

    private static String rewrite(String html, LinkRewriter r) {
        StringBuilder out = new StringBuilder();
        r.rewrite(html, out, SIGNER, "<img src=\"P\">");
        return out.toString();
    }

    @Test
    void rewritesHttpLinksInAnyQuotingAndCase() {
        LinkRewriter r = new LinkRewriter("https://t.example");
        String out =
                rewrite(
                        "<A HREF='http://a.example/x?a=1&amp;b=2' class=x>a</A> <a class=\"b\" href=https://b.example/>b</a>"
                                + "<a\nhref = \" https://c.example \">c</a></body>",
                        r);
        assertThat(out)
                .isEqualTo(
                        "<A HREF=\"https://t.example/c/26?http://a.example/x?a=1&amp;b=2\" class=x>a</A>"
                                + " <a class=\"b\" href=\"https://t.example/c/18?https://b.example/\">b</a>"
                                + "<a\nhref = \"https://t.example/c/17?https://c.example\">c</a><img src=\"P\"></body>");
    }

    @Test
    void leavesMailtoTelAnchorsRelativeTrackedAndNoTrackLinksAlone() {
        LinkRewriter r = new LinkRewriter("https://t.example");
        String html =
                "<a href=\"mailto:a@b.c\">m</a><a href=\"tel:+1\">t</a><a href=\"#top\">#</a>"
                        + "<a href=\"/rel\">r</a><a href=\"https://t.example/c/x\">t</a>"
                        + "<a data-sendline-notrack href=\"https://n.example/1\">n</a>"
                        + "<a class=\"btn notrack\" href=\"https://n.example/2\">n</a>"
                        + "<abbr href=\"https://x.example\">not a link</abbr><area href=\"https://y.example\">";
        assertThat(rewrite(html, r)).isEqualTo(html + "<img src=\"P\">");
        assertThat(r.noTrackTargets())
                .containsExactly("https://n.example/1", "https://n.example/2");
    }

    @Test
    void unterminatedTagsDoNotBreakTheRest() {
        LinkRewriter r = new LinkRewriter("https://t.example");
        assertThat(rewrite("<p>x</p><a href=\"https://a.example", r))
                .isEqualTo("<p>x</p><a href=\"https://a.example<img src=\"P\">");
    }

    @Test
    void textLinksAreRewrittenWithoutTheirPunctuation() {
        StringBuilder out = new StringBuilder();
        TextLinkRewriter.rewrite(
                "See (https://a.example/x). Or https://b.example/y, and https://n.example/1 or https://t.example/c/z",
                out,
                SIGNER,
                "https://t.example",
                List.of("https://n.example/1"));
        assertThat(out.toString())
                .isEqualTo(
                        "See (https://t.example/c/19?https://a.example/x). Or https://t.example/c/19?https://b.example/y,"
                                + " and https://n.example/1 or https://t.example/c/z");
    }
}
