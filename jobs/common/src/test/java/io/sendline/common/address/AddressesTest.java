package io.sendline.common.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void normalFormIsTrimmedLowerCaseWithAPunycodeDomain() {
        assertThat(Addresses.normalise("  Bob@Example.COM ")).isEqualTo("bob@example.com");
        assertThat(Addresses.normalise("Jörg@Bücher.de")).isEqualTo("jörg@xn--bcher-kva.de");
        assertThat(Addresses.normalise("a@example.com.")).isEqualTo("a@example.com");
    }

    @Test
    void normalisingTwiceChangesNothing() {
        String once = Addresses.normalise("Jörg@Bücher.DE");
        assertThat(Addresses.normalise(once)).isEqualTo(once);
    }

    @Test
    void invalidAddressesAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> Addresses.normalise("secret-user@"))
                .isInstanceOf(InvalidAddressException.class)
                .message()
                .doesNotContain("secret-user");
        assertThatThrownBy(() -> Addresses.normalise("a@b.com\r\nBcc: x@y.com"))
                .hasMessageContaining("CR, LF");
        assertThatThrownBy(() -> Addresses.normalise("a..b@example.com"))
                .hasMessageContaining("dot");
        assertThatThrownBy(() -> Addresses.normalise("a@localhost"))
                .hasMessageContaining("two labels");
        assertThat(Addresses.isValid(null)).isFalse();
    }

    @Test
    void hashIsStableAndTheSameForEqualNormalForms() {
        long h = Addresses.hash64("bob@example.com");
        assertThat(Addresses.hash64(Addresses.normalise("BOB@example.com"))).isEqualTo(h);
        assertThat(Addresses.hash64("alice@example.com")).isNotEqualTo(h);
        // first 8 bytes of SHA-256("bob@example.com"): a persisted format, must never change
        assertThat(h).isEqualTo(0x5ff860bf1190596cL);
    }

    @Test
    void redactedFormKeepsTheDomainButNotTheLocalPart() {
        String r = Addresses.redact("very.secret@example.com");
        assertThat(r).endsWith("@example.com").doesNotContain("secret");
        assertThat(Addresses.domainOf("bob@example.com")).isEqualTo("example.com");
    }

    @Test
    void plainAsciiDomainsNormaliseExactlyAsTheFullIdnaRulesDo() {
        List<String> domains =
                new ArrayList<>(
                        List.of(
                                "example.com",
                                "EXAMPLE.Com",
                                "mail-1.example.co.uk",
                                "xn--bcher-kva.de",
                                "123.456",
                                "-a.com",
                                "a-.com",
                                "a.-b.com",
                                "a.b-",
                                "a..com",
                                ".com",
                                "a_b.com",
                                "a b.com",
                                "a.com-",
                                "x".repeat(63) + ".com",
                                "x".repeat(64) + ".com",
                                "bücher.de",
                                "ex*ample.com"));
        Random random = new Random(42);
        String alphabet = "abcXYZ09-._";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int len = 1 + random.nextInt(12);
            for (int j = 0; j < len; j++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            domains.add(b.toString());
        }
        for (String d : domains) {
            assertThat(outcome(() -> Addresses.asciiDomain(d)))
                    .as("domain %s", d)
                    .isEqualTo(outcome(() -> viaIdnOnly(d)));
        }
    }

    /** The normalisation before the ASCII fast path: IDN.toASCII for every domain. */
    private static String viaIdnOnly(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        String ascii;
        try {
            ascii = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new InvalidAddressException("domain is not a valid host name");
        }
        if (ascii.isEmpty() || ascii.length() > 253) {
            throw new InvalidAddressException("domain is empty or longer than 253 characters");
        }
        if (ascii.indexOf('.') < 0) {
            throw new InvalidAddressException("domain must have at least two labels");
        }
        for (String label : ascii.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new InvalidAddressException("domain has an empty or too long label");
            }
        }
        return ascii;
    }

    private static String outcome(java.util.function.Supplier<String> f) {
        try {
            return "ok:" + f.get();
        } catch (InvalidAddressException e) {
            return "error:" + e.getMessage();
        }
    }
}
