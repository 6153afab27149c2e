package io.sendline.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.compose.samples.SampleTemplates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Header injection, template injection, missing variables and runaway templates. */
class HostileInputTest {

    private static DefaultComposer composer;
    private static CompiledTemplate transactional;

    @BeforeAll
    static void setUp() throws Exception {
        composer = Fixtures.composer();
        transactional = composer.compile(SampleTemplates.transactional());
    }

    private static MessageSpec spec(
            String from,
            String fromName,
            String to,
            String toName,
            String replyTo,
            Map<String, String> headers) {
        return new MessageSpec(
                "job-h",
                true,
                "marketing",
                "c1",
                from,
                fromName,
                to,
                toName,
                replyTo,
                SampleTemplates.transactionalVariables(1),
                headers,
                List.of());
    }

    private static MessageSpec ok() {
        return spec("a@shop.example.com", "Shop", "b@example.org", "Bee", null, Map.of());
    }

    private static CompiledTemplate compile(String subject, String html, String text)
            throws CompositionException {
        return composer.compile(new TemplateSource("evil", 1, subject, html, text));
    }

    private static String render(String html, Map<String, Object> vars) throws Exception {
        CompiledTemplate t = compile("s", html, "t");
        byte[] mime = composer.compose(t, Fixtures.withVariables(vars)).mime();
        return Fixtures.text(Fixtures.leaves(Fixtures.parse(mime)).get(1));
    }

    // ------------------------------------------------------------------ header injection

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Hi\r\nBcc: victim@example.com",
                "Hi\nBcc: x@y.z",
                "Hi\rX: y",
                "Hi\u0000there"
            })
    void subjectWithLineBreakOrNulFromAVariableIsRejected(String value) throws Exception {
        CompiledTemplate t = compile("{{ s }}", "<p>x</p>", "x");
        assertThatThrownBy(() -> composer.compose(t, Fixtures.withVariables(Map.of("s", value))))
                .isInstanceOf(CompositionException.class)
                .hasMessage("rendered subject contains CR, LF or NUL");
    }

    @Test
    void headerInjectionInAddressesDisplayNamesAndCustomHeadersIsRejected() {
        assertRejected(
                spec(
                        "a@shop.example.com\r\nBcc: v@x.com",
                        null,
                        "b@example.org",
                        null,
                        null,
                        Map.of()),
                "sender address contains CR, LF or NUL");
        assertRejected(
                spec(
                        "a@shop.example.com",
                        null,
                        "b@example.org\nBcc: v@x.com",
                        null,
                        null,
                        Map.of()),
                "recipient address contains CR, LF or NUL");
        assertRejected(
                spec(
                        "a@shop.example.com",
                        null,
                        "b@example.org",
                        null,
                        "r@x.com\r\nX: y",
                        Map.of()),
                "reply-to address contains CR, LF or NUL");
        assertRejected(
                spec(
                        "a@shop.example.com",
                        "Shop\r\nBcc: v@x.com",
                        "b@example.org",
                        null,
                        null,
                        Map.of()),
                "sender display name contains CR, LF or NUL");
        assertRejected(
                spec("a@shop.example.com", null, "b@example.org", "Bee\u0000", null, Map.of()),
                "recipient display name contains CR, LF or NUL");
        assertRejected(
                spec(
                        "a@shop.example.com",
                        null,
                        "b@example.org",
                        null,
                        null,
                        Map.of("X-Ref", "1\r\nBcc: v@x.com")),
                "custom header X-Ref contains CR, LF or NUL");
        assertRejected(
                spec(
                        "a@shop.example.com",
                        null,
                        "b@example.org",
                        null,
                        null,
                        Map.of("X-Ref\r\nBcc", "1")),
                "custom header name is not a valid field name");
        assertRejected(
                spec(
                        "a@shop.example.com",
                        null,
                        "b@example.org",
                        null,
                        null,
                        Map.of("X-Ref:", "1")),
                "custom header name is not a valid field name");
        assertRejected(
                spec(
                        "a@shop.example.com",
                        null,
                        "b@example.org",
                        null,
                        null,
                        Map.of("X-Ref", "a\u0007b")),
                "custom header X-Ref contains a control character");
        assertRejected(
                spec("<a@shop.example.com>", null, "b@example.org", null, null, Map.of()),
                "sender address local part must be a dot-atom (quoted local parts are not supported)");
        assertRejected(
                spec("a@shop.example.com", null, "b@exa mple.org", null, null, Map.of()),
                "recipient address contains whitespace or a control character");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Bcc",
                "DKIM-Signature",
                "List-Unsubscribe",
                "list-unsubscribe-post",
                "Content-Type",
                "From",
                "Subject",
                "Message-ID",
                "X-Sendline-Job-Id",
                "X-SES-CONFIGURATION-SET",
                "Feedback-ID"
            })
    void customHeadersMayNotReplaceWhatSendlineWritesOrSigns(String name) {
        assertRejected(
                spec("a@shop.example.com", null, "b@example.org", null, null, Map.of(name, "x")),
                "custom header " + name + " may not be set: Sendline writes or signs it");
    }

    @Test
    void attachmentNamesAndTypesCannotInjectPartHeaders() {
        MessageSpec o = ok();
        MessageSpec badName =
                new MessageSpec(
                        o.jobId(),
                        false,
                        o.pool(),
                        null,
                        o.from(),
                        null,
                        o.to(),
                        null,
                        null,
                        o.variables(),
                        Map.of(),
                        List.of(
                                new AttachmentContent(
                                        "a.txt\r\nContent-Type: text/html",
                                        "text/plain",
                                        new byte[1])));
        assertRejected(badName, "attachment file name contains CR, LF or NUL");
        MessageSpec badType =
                new MessageSpec(
                        o.jobId(),
                        false,
                        o.pool(),
                        null,
                        o.from(),
                        null,
                        o.to(),
                        null,
                        null,
                        o.variables(),
                        Map.of(),
                        List.of(new AttachmentContent("a.txt", "text/plain\r\nX: y", new byte[1])));
        assertRejected(badType, "attachment content type must be type/subtype without parameters");
    }

    @Test
    void quotesAndEncodedWordLookalikesInDisplayNamesStayInsideTheName() throws Exception {
        MessageSpec s =
                spec(
                        "a@shop.example.com",
                        "Evil\" <boss@bank.example>, \"x",
                        "b@example.org",
                        "=?UTF-8?B?Qm9zcw==?=",
                        null,
                        Map.of("X-Note", "=?UTF-8?B?aGk=?= plain"));
        var m = Fixtures.parse(composer.compose(transactional, s).mime());
        assertThat(m.getFrom()).hasSize(1);
        assertThat(m.getFrom().get(0).getAddress()).isEqualTo("a@shop.example.com");
        assertThat(m.getFrom().get(0).getName()).isEqualTo("Evil\" <boss@bank.example>, \"x");
        assertThat(m.getTo()).hasSize(1);
        assertThat(((org.apache.james.mime4j.dom.address.Mailbox) m.getTo().get(0)).getName())
                .isEqualTo("=?UTF-8?B?Qm9zcw==?=");
    }

    @Test
    void badJobIdsAndFeedbackFieldsAreRejectedOrNeutralised() throws Exception {
        MessageSpec o = ok();
        assertRejected(
                new MessageSpec(
                        "job/../x",
                        false,
                        o.pool(),
                        null,
                        o.from(),
                        null,
                        o.to(),
                        null,
                        null,
                        o.variables(),
                        Map.of(),
                        List.of()),
                "job id must be 1-128 letters, digits, '.', '_' or '-'");
        assertRejected(
                new MessageSpec(
                        "j",
                        false,
                        "pool\r\nX: y",
                        null,
                        o.from(),
                        null,
                        o.to(),
                        null,
                        null,
                        o.variables(),
                        Map.of(),
                        List.of()),
                "pool contains CR, LF or NUL");
        byte[] mime =
                composer.compose(
                                transactional,
                                new MessageSpec(
                                        "j",
                                        false,
                                        "a:b",
                                        "c:d",
                                        o.from(),
                                        null,
                                        o.to(),
                                        null,
                                        null,
                                        o.variables(),
                                        Map.of(),
                                        List.of()))
                        .mime();
        assertThat(new String(mime, StandardCharsets.US_ASCII))
                .contains("Feedback-ID: c_d:a_b:transactional:shop.example.com\r\n");
    }

    private static void assertRejected(MessageSpec spec, String message) {
        assertThatThrownBy(() -> composer.compose(transactional, spec))
                .isInstanceOf(CompositionException.class)
                .hasMessage(message);
    }

    // ------------------------------------------------------------------ template injection

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{{ ''.getClass() }}",
                "{{ ''.class }}",
                "{{ name.getClass().forName('java.lang.Runtime') }}",
                "{{ name.class.forName('java.lang.Runtime').getRuntime().exec('id') }}",
                "{{ (1).TYPE }}",
                "{{ name.bytes }}",
                "{{ name.toString() }}",
                "{{ items.getClass().getClassLoader() }}",
                "{{ items.size() }}",
                "{{ m.getClass() }}",
                "{{ m.entrySet() }}",
            })
    void methodCallsAndJavaMembersAreRefusedAtRender(String payload) throws Exception {
        CompiledTemplate t = compile("s", "<p>" + payload + "</p>", "t");
        Map<String, Object> vars =
                Map.of("name", "x", "items", List.of("a"), "m", Map.of("k", "v"));
        assertThatThrownBy(() -> composer.compose(t, Fixtures.withVariables(vars)))
                .isInstanceOf(CompositionException.class)
                .hasMessageStartingWith("template evil v1 html: ")
                .hasMessageMatching(
                        ".*(method calls are not allowed|cannot be read from a|only map keys).*");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{% include '/etc/passwd' %}",
                "{% include 'file:///etc/passwd' %}",
                "{% import 'macros.peb' %}",
                "{% extends '/etc/passwd' %}",
                "{% from 'x' import y %}",
                "{% embed 'x' %}{% endembed %}",
                "{% cache 'k' %}x{% endcache %}",
                "{% parallel %}x{% endparallel %}",
            })
    void loadingOtherTemplatesOrResourcesDoesNotCompile(String payload) {
        assertThatThrownBy(() -> compile("s", "<p>" + payload + "</p>", "t"))
                .isInstanceOf(CompositionException.class)
                .hasMessageStartingWith("template evil v1 html: ");
        assertThatThrownBy(() -> compile(payload, "<p>x</p>", "t"))
                .isInstanceOf(CompositionException.class)
                .hasMessageStartingWith("template evil v1 subject: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{ i18n('messages', 'key') }}", "{{ parent() }}"})
    void resourceBundleAndBlockFunctionsAreNotAvailable(String payload) {
        assertThatThrownBy(
                        () ->
                                composer.compose(
                                        compile("s", "<p>" + payload + "</p>", "t"),
                                        Fixtures.withVariables(Map.of())))
                .isInstanceOf(CompositionException.class)
                .hasMessageStartingWith("template evil v1 html: ");
    }

    @Test
    void dataIsReadOnlyAsMapKeysAndListIndexes() throws Exception {
        String out =
                render(
                        "<p>{{ user.name }} {{ user['city'] }} {{ items[1] }} {{ items | length }}"
                                + " {% for e in user %}{{ e.key }}={{ e.value }};{% endfor %}</p>",
                        Map.of(
                                "user",
                                Map.of("name", "Ann", "city", "Oslo"),
                                "items",
                                List.of("a", "b")));
        assertThat(out).contains("Ann Oslo b 2").contains("name=Ann;").contains("city=Oslo;");
    }

    // ------------------------------------------------------------------ strict variables

    @Test
    void aMissingVariableFailsTheMessageNamingIt() throws Exception {
        CompiledTemplate t = compile("Hello {{ first_name }}", "<p>{{ name }}</p>", "{{ name }}");
        assertThatThrownBy(() -> composer.compose(t, Fixtures.withVariables(Map.of("name", "x"))))
                .isInstanceOf(CompositionException.class)
                .hasMessage("template evil v1 subject: missing variable 'first_name' (line 1)");
        CompiledTemplate t2 = compile("s", "<p>\n{{ user.address.city }}</p>", "x");
        assertThatThrownBy(
                        () ->
                                composer.compose(
                                        t2,
                                        Fixtures.withVariables(
                                                Map.of("user", Map.of("name", "n")))))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("missing attribute 'address'")
                .hasMessageContaining("(line 2)");
        CompiledTemplate t3 = compile("s", "<p>x</p>", "{{ code }}");
        assertThatThrownBy(() -> composer.compose(t3, Fixtures.withVariables(Map.of())))
                .isInstanceOf(CompositionException.class)
                .hasMessage("template evil v1 text: missing variable 'code' (line 1)");
    }

    @Test
    void aNullValueRendersEmptyNeverTheWordNull() throws Exception {
        Map<String, Object> vars = new java.util.HashMap<>();
        vars.put("x", null);
        assertThat(render("<p>[{{ x }}]</p>", vars)).contains("<p>[]</p>").doesNotContain("null");
    }

    @Test
    void htmlIsEscapedInTheHtmlPartOnly() throws Exception {
        CompiledTemplate t = compile("{{ v }}", "<p>{{ v }}</p>", "{{ v }}");
        String v = "<script>alert('x')</script> & \"q\"";
        var m = Fixtures.parse(composer.compose(t, Fixtures.withVariables(Map.of("v", v))).mime());
        assertThat(m.getSubject()).isEqualTo(v);
        assertThat(Fixtures.text(Fixtures.leaves(m).get(0))).isEqualTo(v);
        assertThat(Fixtures.text(Fixtures.leaves(m).get(1)))
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
                .doesNotContain("<script>");
    }

    @Test
    void rawAndEscapeFiltersStillWorkThroughTheSizeGuard() throws Exception {
        String out =
                render(
                        "<p>{{ b | raw }}|{{ b | escape }}|{{ b | escape('js') }}|{{ b | upper }}</p>",
                        Map.of("b", "<b>x</b>"));
        assertThat(out)
                .contains("<p><b>x</b>|&lt;b&gt;x&lt;/b&gt;|")
                .contains("|&lt;B&gt;X&lt;/B&gt;</p>");
    }

    @Test
    void loopVariablesAndCommonFiltersWork() throws Exception {
        String out =
                render(
                        "<p>{% for x in xs %}{{ loop.index }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}"
                                + " {{ loop_len }}{% for x in xs %}{% if loop.first %}[{{ loop.length }}]{% endif %}{% endfor %}"
                                + " {{ xs | join('+') }} {{ xs | first | upper }} {{ 'a,b,c' | split(',') | length }}"
                                + " {{ 3 + 4 }} {{ 'x' ~ 'y' }} {{ 1234.5 | numberformat('#,##0.00') }}</p>",
                        Map.of("xs", List.of("a", "b", "c"), "loop_len", 3));
        assertThat(out).contains("<p>0a,1b,2c 3[3] a+b+c A 3 7 xy 1,234.50</p>");
        CompiledTemplate t =
                compile("s", "{% for x in xs %}{{ loop.getClass() }}{% endfor %}", "t");
        assertThatThrownBy(
                        () -> composer.compose(t, Fixtures.withVariables(Map.of("xs", List.of(1)))))
                .isInstanceOf(CompositionException.class);
    }

    @Test
    void defaultFilterCoversAMissingVariableUnderStrictVariables() throws Exception {
        assertThat(
                        render(
                                "<p>{{ nick | default('friend') }}, {{ user.nick | default('you') }}</p>",
                                Map.of("user", Map.of("name", "n"))))
                .contains("<p>friend, you</p>");
    }

    @Test
    void escapingOverAndOverIsBoundedToo() throws Exception {
        CompiledTemplate t =
                compile(
                        "s",
                        "{% set s = b %}{% for i in range(1, 5000) %}{% set s = s | escape | lower %}{% endfor %}{{ s | length }}",
                        "t");
        assertThatThrownBy(
                        () ->
                                composer.compose(
                                        t,
                                        Fixtures.withVariables(Map.of("b", "&".repeat(100_000)))))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("filter 'escape' produced");
    }

    // ------------------------------------------------------------------ runaway templates

    @Test
    void renderedSizeIsLimited() throws Exception {
        DefaultComposer small =
                DefaultComposer.create(
                        Fixtures.config().maxHtmlChars(10_000).build(),
                        AttachmentStore.NONE,
                        Fixtures.CLOCK);
        CompiledTemplate t =
                small.compile(
                        new TemplateSource(
                                "big",
                                1,
                                "s",
                                "{% for i in range(1, 5000) %}<p>row {{ i }}</p>{% endfor %}",
                                "t"));
        assertThatThrownBy(() -> small.compose(t, Fixtures.withVariables(Map.of())))
                .isInstanceOf(CompositionException.class)
                .hasMessage(
                        "template big v1 html: rendered size is over the limit of 10000 characters");
    }

    @Test
    void hugeRangesAndNestedLoopsWithoutOutputAreStopped() throws Exception {
        CompiledTemplate huge = compile("s", "{% for i in range(1, 100000000) %}{% endfor %}", "t");
        assertThatThrownBy(() -> composer.compose(huge, Fixtures.withVariables(Map.of())))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("over the limit of 10000");
        CompiledTemplate nested =
                compile(
                        "s",
                        "{% for a in range(1,10000) %}{% for b in range(1,10000) %}{% endfor %}{% endfor %}",
                        "t");
        assertThatThrownBy(() -> composer.compose(nested, Fixtures.withVariables(Map.of())))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("loops took more than 200000 iterations");
        List<Object> thousand = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            thousand.add(i);
        }
        CompiledTemplate overData =
                compile(
                        "s",
                        "{% for a in xs %}{% for b in xs %}{% for c in xs %}{% endfor %}{% endfor %}{% endfor %}",
                        "t");
        assertThatThrownBy(
                        () ->
                                composer.compose(
                                        overData, Fixtures.withVariables(Map.of("xs", thousand))))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("loops took more than 200000 iterations");
    }

    @Test
    void valuesThatDoubleWithoutOutputAreStopped() throws Exception {
        for (String html :
                List.of(
                        "{% set s = 'abcdefgh' %}{% for i in range(1, 60) %}{% set s = s ~ s %}{% endfor %}",
                        "{% set s = 'abcdefgh' %}{% for i in range(1, 60) %}{% set s = s + s %}{% endfor %}",
                        "{% set l = [1, 2, 3, 4] %}{% for i in range(1, 60) %}{% set l = l | merge(l) %}{% endfor %}",
                        "{% set s = 'ab' %}{% for i in range(1, 60) %}{% set s = s | replace({'a': 'aaaa', 'b': 'bbbb'}) %}{% endfor %}",
                        "{% macro grow(n, s) %}{% if n > 0 %}{{ grow(n - 1, s ~ s) }}{% endif %}{% endmacro %}{{ grow(60, 'abcd') }}")) {
            CompiledTemplate t = compile("s", html, "t");
            assertThatThrownBy(() -> composer.compose(t, Fixtures.withVariables(Map.of())))
                    .as(html)
                    .isInstanceOf(CompositionException.class)
                    .hasMessageContaining("over the limit of");
        }
    }

    @Test
    void deepMacroRecursionFailsCleanly() throws Exception {
        CompiledTemplate t =
                compile("s", "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(1) }}", "t");
        assertThatThrownBy(() -> composer.compose(t, Fixtures.withVariables(Map.of())))
                .isInstanceOf(CompositionException.class)
                .hasMessageStartingWith("template evil v1 html: ");
    }

    @Test
    void oversizedTemplatesAndBrokenSyntaxAreRefusedAtCompile() {
        assertThatThrownBy(() -> compile("s", "x".repeat(600_000), null))
                .isInstanceOf(CompositionException.class)
                .hasMessage("template evil v1 html: template is larger than 524288 characters");
        assertThatThrownBy(() -> compile("s", "<p>{% for x in y %}</p>", null))
                .isInstanceOf(CompositionException.class)
                .hasMessageStartingWith("template evil v1 html: ");
        assertThatThrownBy(() -> compile("{{ a", "<p></p>", null))
                .isInstanceOf(CompositionException.class)
                .hasMessageStartingWith("template evil v1 subject: ");
    }
}
