package io.sendline.relay.classify;

import java.util.regex.Pattern;

/**
 * Removes email addresses from relay replies before they are stored or logged (replies often echo
 * the recipient: "550 5.1.1 &lt;jane@example.com&gt;: user unknown"), and bounds their length.
 */
public final class Redaction {

    /** Longest reply detail kept. */
    public static final int MAX_DETAIL = 300;

    private static final Pattern ADDRESS =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+(?:\\.[A-Za-z]{2,})?");

    private Redaction() {}

    /** {@code text} with every address replaced by {@code <address>}, single-line, bounded. */
    public static String detail(String text) {
        if (text == null) {
            return null;
        }
        String s = ADDRESS.matcher(text).replaceAll("<address>");
        s = s.replace("\r", " ").replace("\n", " ").strip();
        if (s.length() > MAX_DETAIL) {
            s = s.substring(0, MAX_DETAIL - 3) + "...";
        }
        return s;
    }
}
