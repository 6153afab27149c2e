package io.sendline.compose.html;

import static org.assertj.core.api.Assertions.assertThat;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

class CssInlinerTest {

    private static Document inline(String html) {
        Document doc = Jsoup.parse(html);
        CssInliner.inline(doc, css -> false);
        return doc;
    }

    @Test
    void specificityThenOrderDecideAndOwnStyleWinsExceptImportant() {
        Document doc =
                inline(
                        "<style>p{color:red;margin:0} .a{color:blue} #x{color:green}"
                                + " p{font-size:12px !important}</style>"
                                + "<p id=x class=a style=\"font-size:20px;color:black\">t</p><p class=a>u</p><p>v</p>");
        assertThat(doc.select("p").get(0).attr("style"))
                .isEqualTo("margin: 0; font-size: 12px; color: black;");
        assertThat(doc.select("p").get(1).attr("style"))
                .isEqualTo("margin: 0; font-size: 12px; color: blue;");
        assertThat(doc.select("p").get(2).attr("style"))
                .isEqualTo("color: red; margin: 0; font-size: 12px;");
        assertThat(doc.select("style")).isEmpty();
    }

    @Test
    void mediaQueriesAndPseudoClassesStayInAStyleBlock() {
        Document doc =
                inline(
                        "<style>a{color:red} a:hover{color:blue}"
                                + " @media (max-width: 600px) { .c { width: 100% !important } }</style><a class=c>x</a>");
        assertThat(doc.select("a").attr("style")).isEqualTo("color: red;");
        String kept = doc.head().select("style").html();
        assertThat(kept)
                .contains("a:hover{color:blue;}")
                .contains("@media (max-width: 600px) { .c { width: 100% !important } }");
    }

    @Test
    void keepMarkedStyleBlocksAreLeftAlone() {
        Document doc = inline("<style data-sendline-keep>p{color:red}</style><p>x</p>");
        assertThat(doc.select("p").attr("style")).isEmpty();
        assertThat(doc.select("style")).hasSize(1);
    }
}
