package io.sendline.relay.sandbox;

import java.util.Locale;

/**
 * What the sandbox does with a recipient, chosen by its address in the spirit of the SES mailbox
 * simulator: {@code <scenario>@simulator.sendline.dev}, or {@code <scenario>+<anything>@...} so
 * that load tests can make many distinct addresses. Every other address is delivered.
 */
public enum SandboxScenario {
    /** Accepted, then a DELIVERED event. Any address that names no other scenario. */
    DELIVERED("success"),
    /** Accepted, then BOUNCED (PERMANENT, 5.1.1): a hard bounce. */
    BOUNCE("bounce"),
    /** Accepted, then BOUNCED (TRANSIENT, 4.2.2 mailbox full): a soft bounce. */
    SOFT_BOUNCE("softbounce", "soft"),
    /**
     * Accepted, then DELIVERED: an out-of-office auto-reply (SES's {@code ooto@}) is a delivery;
     * the reply goes to the sender, not to the webhook.
     */
    OUT_OF_OFFICE("ooto"),
    /** Accepted, then DELIVERED and COMPLAINED. */
    COMPLAINT("complaint"),
    /**
     * Accepted, then BOUNCED (PERMANENT, OnSuppressionList): the relay's own suppression list, as
     * SES's {@code suppressionlist@}.
     */
    SUPPRESSION_LIST("suppressionlist"),
    /** Accepted, then DELAYED (4.4.1) and later DELIVERED. */
    DELAY("delay"),
    /** Accepted after the slow latency, then DELIVERED. */
    SLOW("slow"),
    /** Not accepted: THROTTLED with a retry hint, like SES "Maximum sending rate exceeded". */
    THROTTLE("throttle"),
    /** Not accepted: 451 4.3.0, retryable. */
    TEMP_FAIL("tempfail"),
    /** Not accepted: 550 5.1.1 at RCPT, a hard bounce reported synchronously. */
    UNKNOWN_USER("unknown"),
    /** Not accepted: 554 5.7.1 policy rejection (the recipient is not at fault). */
    REJECT("reject");

    /** The simulator's domain. */
    public static final String DOMAIN = "simulator.sendline.dev";

    private final String localPart;
    private final String[] aliases;

    SandboxScenario(String localPart, String... aliases) {
        this.localPart = localPart;
        this.aliases = aliases;
    }

    /** The local part that selects this scenario, e.g. {@code bounce}. */
    public String localPart() {
        return localPart;
    }

    private boolean selectedBy(String local) {
        if (localPart.equals(local)) {
            return true;
        }
        for (String a : aliases) {
            if (a.equals(local)) {
                return true;
            }
        }
        return false;
    }

    /** The canonical simulator address, e.g. {@code bounce@simulator.sendline.dev}. */
    public String address() {
        return localPart + "@" + DOMAIN;
    }

    /** The address {@code <localPart>+<tag>@simulator.sendline.dev}. */
    public String address(String tag) {
        return localPart + "+" + tag + "@" + DOMAIN;
    }

    /** The scenario for {@code recipient} (case-insensitive); DELIVERED for any other address. */
    public static SandboxScenario of(String recipient) {
        if (recipient == null) {
            return DELIVERED;
        }
        int at = recipient.lastIndexOf('@');
        if (at <= 0 || !recipient.substring(at + 1).equalsIgnoreCase(DOMAIN)) {
            return DELIVERED;
        }
        String local = recipient.substring(0, at);
        int plus = local.indexOf('+');
        if (plus >= 0) {
            local = local.substring(0, plus);
        }
        local = local.toLowerCase(Locale.ROOT);
        for (SandboxScenario s : values()) {
            if (s.selectedBy(local)) {
                return s;
            }
        }
        return DELIVERED;
    }
}
