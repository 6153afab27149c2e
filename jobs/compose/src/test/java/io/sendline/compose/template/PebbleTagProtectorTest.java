package io.sendline.compose.template;

import static org.assertj.core.api.Assertions.assertThat;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

class PebbleTagProtectorTest {

    @Test
    void tagsSurviveAnHtmlParserRoundTripInTextAttributesTablesAndStyle() {
        String src =
                "<table>{% for r in rows %}<tr><td class=\"{{ r.cls }}\" {% if r.wide %}colspan=\"2\"{% endif %}>"
                        + "{{ r.name }}</td></tr>{% endfor %}</table><style>.a{color:{{ color }}}</style>"
                        + "<a href=\"https://x.example/?q={{ q | urlencode }}&amp;z=1\">{# note #}x</a>";
        PebbleTagProtector p = PebbleTagProtector.of(src);
        assertThat(p.tagCount()).isEqualTo(9);
        Document doc = Jsoup.parse(p.protectedSource());
        doc.outputSettings().prettyPrint(false);
        String back = p.restore(doc.body().html() + doc.head().html());
        assertThat(back)
                .contains("{% for r in rows %}<tbody><tr>")
                .contains("class=\"{{ r.cls }}\"")
                .contains("{% if r.wide %} colspan=\"2\" {% endif %}")
                .contains("{{ r.name }}</td></tr>{% endfor %}")
                .contains("href=\"https://x.example/?q={{ q | urlencode }}&amp;z=1\"")
                .contains("{# note #}x");
        assertThat(back).doesNotContain("zpbl");
    }
}
