package io.sendline.compose.samples;

import io.sendline.compose.TemplateSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two realistic templates with matching variables, shared by the composer's tests, the JMH
 * benchmarks and local demos: a ~15 KB marketing newsletter (a {@code <style>} block with a media
 * query, loops over product rows and articles, 20+ links, images, no-track, mailto and tel links)
 * that renders to ~20 KB, and a short transactional password-reset email.
 */
public final class SampleTemplates {

    private SampleTemplates() {}

    /** The marketing newsletter (no text template: it is derived from the HTML). */
    public static TemplateSource marketing() {
        return new TemplateSource(
                "winter-newsletter",
                3,
                "{{ first_name }}, the winter sale is on: up to 50% off",
                resource("marketing.html"),
                null);
    }

    /** The password-reset email, with its own text template. */
    public static TemplateSource transactional() {
        return new TemplateSource(
                "password-reset",
                1,
                "Your password reset code: {{ code }}",
                resource("transactional.html"),
                "Hi {{ name }},\n\nUse this code within {{ minutes }} minutes: {{ code }}\n\n"
                        + "Or open https://account.example.com/reset?token={{ token }}\n\n"
                        + "If it was not you, ignore this email.\n");
    }

    /** Variables for {@link #marketing()}; {@code n} varies names and numbers per recipient. */
    public static Map<String, Object> marketingVariables(int n) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("campaign_title", "Winter sale");
        v.put("campaign_code", "winter-2026");
        v.put("preheader", "Up to 50% off coats, knitwear and boots, this week only.");
        v.put("first_name", "Élodie " + n);
        v.put("email", "elodie" + n + "@example.org");
        v.put("days_left", 5);
        v.put("member_since", "2019");
        v.put("member_number", "M-" + (100000 + n));
        v.put("free_shipping_threshold", "€50");
        v.put(
                "coupon",
                Map.of("code", "WINTER" + (n % 100), "percent", 10, "valid_until", "31 Jan"));
        List<Object> rows = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            List<Object> row = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                int i = r * 2 + c;
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("name", PRODUCTS[i]);
                p.put("url", "https://shop.example.com/p/" + (4711 + i));
                p.put("image", "https://cdn.example.com/img/p/" + (4711 + i) + "-536.jpg");
                p.put("price", "€" + (39 + i * 10) + ",95");
                p.put("old_price", "€" + (79 + i * 20) + ",95");
                p.put(
                        "blurb",
                        "Made to last, with a fit that works over a jumper & under a coat."
                                + " Machine washable at 30°C, in four colours.");
                row.add(p);
            }
            rows.add(row);
        }
        v.put("product_rows", rows);
        List<Object> articles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            articles.add(
                    Map.of(
                            "url", "https://blog.example.com/2026/winter-" + (i + 1),
                            "title", ARTICLES[i],
                            "summary",
                                    "We asked three mountain guides what they pack for a week in"
                                            + " the snow, and why the lightest kit is rarely the"
                                            + " warmest. Their answers, and the five things all"
                                            + " three of them never leave behind."));
        }
        v.put("articles", articles);
        v.put(
                "store",
                Map.of(
                        "name", "Example Shop City Centre",
                        "address", "12 Market Square, 00000 Example City",
                        "hours", "Mon-Sat 9:00-19:00",
                        "phone", "+00 123 456 789",
                        "email", "city@shop.example.com"));
        Map<String, Object> discounts = new LinkedHashMap<>();
        for (String c :
                new String[] {
                    "coats", "knitwear", "boots", "scarves", "gloves", "hats", "thermals", "kids"
                }) {
            discounts.put(c, 30 + c.length());
        }
        v.put("discounts", discounts);
        v.put("legal_note", "Newsletter no. " + (40 + n % 10) + ".");
        return v;
    }

    /** Variables for {@link #transactional()}. */
    public static Map<String, Object> transactionalVariables(int n) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", "Sam " + n);
        v.put("minutes", 15);
        v.put("code", String.format("%06d", (n * 7919) % 1_000_000));
        v.put("token", "tk" + Integer.toHexString(n * 31 + 7) + "Xy9");
        return v;
    }

    private static final String[] PRODUCTS = {
        "Alpine down parka", "Merino roll-neck", "Waxed leather boots",
        "Cashmere scarf", "Lined wool gloves", "Fleece beanie"
    };

    private static final String[] ARTICLES = {
        "What mountain guides pack", "Layering, explained", "Ten winter walks near you"
    };

    private static String resource(String name) {
        try (InputStream in = SampleTemplates.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing sample template " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
