package io.sendline.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The ledger rules, on the in-memory ledger (the JDBC one is proven by JdbcSendLedgerITCase). */
class InMemorySendLedgerTest {

    private final InMemorySendLedger ledger = new InMemorySendLedger();

    private Claim claim(String job, int attempt, String who) {
        return ledger.claim(job, attempt, who).join();
    }

    @Test
    void firstClaimIsFreshAndASecondIsInDoubt() {
        assertThat(claim("j1", 0, "a").kind()).isEqualTo(Claim.Kind.FRESH);
        Claim again = claim("j1", 0, "b");
        assertThat(again.kind()).isEqualTo(Claim.Kind.IN_DOUBT);
        assertThat(again.detail()).isEqualTo("a");
        assertThat(again.maySend()).isFalse();
    }

    @Test
    void acceptedJobIsNeverSentAgainWhateverTheAttempt() {
        claim("j1", 0, "a");
        ledger.accepted("j1", 0, "ses", "pm-1").join();
        for (int attempt = 0; attempt < 3; attempt++) {
            Claim c = claim("j1", attempt, "b");
            assertThat(c.kind()).isEqualTo(Claim.Kind.ALREADY_ACCEPTED);
            assertThat(c.providerMessageId()).isEqualTo("pm-1");
            assertThat(c.relay()).isEqualTo("ses");
        }
    }

    @Test
    void retryableFailureIsSupersededByALaterAttemptOnly() {
        claim("j1", 0, "a");
        ledger.failed("j1", 0, "421 try later", true).join();
        Claim replay = claim("j1", 0, "a");
        assertThat(replay.kind()).isEqualTo(Claim.Kind.ALREADY_FAILED);
        assertThat(replay.mayRetry()).isTrue();
        assertThat(claim("j1", 1, "a").kind()).isEqualTo(Claim.Kind.FRESH);
    }

    @Test
    void permanentFailureIsFinal() {
        claim("j1", 0, "a");
        ledger.failed("j1", 0, "550 no such user", false).join();
        Claim c = claim("j1", 5, "a");
        assertThat(c.kind()).isEqualTo(Claim.Kind.ALREADY_FAILED);
        assertThat(c.mayRetry()).isFalse();
        assertThat(c.detail()).isEqualTo("550 no such user");
    }

    @Test
    void failureNeverOverwritesAnAcceptanceNorALaterAttempt() {
        claim("j1", 0, "a");
        ledger.accepted("j1", 0, "smtp", "pm").join();
        ledger.failed("j1", 0, "late timeout", true).join();
        assertThat(ledger.row("j1").state()).isEqualTo(LedgerEntry.State.ACCEPTED);

        claim("j2", 0, "a");
        ledger.failed("j2", 0, "x", true).join();
        claim("j2", 1, "a");
        ledger.failed("j2", 0, "stale", false).join();
        assertThat(ledger.row("j2").attempt()).isEqualTo(1);
        assertThat(ledger.row("j2").state()).isEqualTo(LedgerEntry.State.CLAIMED);
    }

    @Test
    void takeOverOfAnInDoubtClaimWinsOnceOnly() {
        claim("j1", 0, "old-run");
        Claim inDoubt = claim("j1", 0, "new-run");
        Claim first = ledger.takeOver("j1", 0, inDoubt.detail(), "new-run-1").join();
        Claim second = ledger.takeOver("j1", 0, inDoubt.detail(), "new-run-2").join();
        assertThat(first.kind()).isEqualTo(Claim.Kind.FRESH);
        assertThat(second.kind()).isEqualTo(Claim.Kind.IN_DOUBT);
        assertThat(second.detail()).isEqualTo("new-run-1");
    }

    @Test
    void takeOverOfAnAcceptedJobReportsTheAcceptance() {
        claim("j1", 0, "a");
        ledger.accepted("j1", 0, "ses", "pm").join();
        assertThat(ledger.takeOver("j1", 0, "a", "b").join().kind())
                .isEqualTo(Claim.Kind.ALREADY_ACCEPTED);
        assertThat(ledger.takeOver("j9", 0, "nobody", "b").join().kind())
                .isEqualTo(Claim.Kind.FRESH);
    }

    @Test
    void inDoubtListsOldClaimsWithoutOutcomeOldestFirst() {
        Instant[] now = {Instant.parse("2026-12-04T10:00:00Z")};
        InMemorySendLedger l =
                new InMemorySendLedger(
                        new Clock() {
                            @Override
                            public ZoneOffset getZone() {
                                return ZoneOffset.UTC;
                            }

                            @Override
                            public Clock withZone(java.time.ZoneId zone) {
                                return this;
                            }

                            @Override
                            public Instant instant() {
                                return now[0];
                            }
                        });
        l.claim("b", 0, "x").join();
        now[0] = now[0].plusSeconds(1);
        l.claim("a", 0, "x").join();
        l.claim("done", 0, "x").join();
        l.accepted("done", 0, "ses", "pm").join();
        now[0] = now[0].plusSeconds(60);
        l.claim("recent", 0, "x").join();
        assertThat(l.inDoubt(now[0].minusSeconds(30), 10))
                .extracting(InDoubtClaim::jobId)
                .containsExactly("b", "a");
        assertThat(l.inDoubt(now[0].minusSeconds(30), 1)).hasSize(1);
    }
}
