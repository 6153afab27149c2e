package io.sendline.common.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
