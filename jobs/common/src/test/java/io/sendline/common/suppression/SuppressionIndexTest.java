package io.sendline.common.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.common.address.Addresses;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionChange.Action;
import io.sendline.schemas.SuppressionReason;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SuppressionIndexTest {

    private static final String BOB = "bob@example.com";

    private static SuppressionChange add(String address, SuppressionReason reason) {
        return new SuppressionChange(address, Action.ADD, reason, "test", null, Instant.EPOCH);
    }

    private static SuppressionChange remove(String address) {
        return new SuppressionChange(address, Action.REMOVE, null, "test", null, Instant.EPOCH);
    }

    @Test
    void hardBounceBlocksEveryType() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add(BOB, SuppressionReason.HARD_BOUNCE));
        assertThat(index.blocks(BOB, EmailType.TRANSACTIONAL)).isTrue();
        assertThat(index.blocks(BOB, EmailType.MARKETING)).isTrue();
        assertThat(index.lookup(BOB)).contains(SuppressionReason.HARD_BOUNCE);
    }

    @Test
    void complaintBlocksEveryType() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add(BOB, SuppressionReason.COMPLAINT));
        assertThat(index.blocks(BOB, EmailType.TRANSACTIONAL)).isTrue();
        assertThat(index.blocks(BOB, EmailType.MARKETING)).isTrue();
    }

    @Test
    void unsubscribeBlocksMarketingOnly() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add(BOB, SuppressionReason.UNSUBSCRIBE));
        assertThat(index.blocks(BOB, EmailType.MARKETING)).isTrue();
        assertThat(index.blocks(BOB, EmailType.TRANSACTIONAL)).isFalse();
    }

    @Test
    void softBounceLimitAndManualBlockEveryType() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add("a@example.com", SuppressionReason.SOFT_BOUNCE_LIMIT));
        index.apply(add("b@example.com", SuppressionReason.MANUAL));
        for (String a : new String[] {"a@example.com", "b@example.com"}) {
            assertThat(index.blocks(a, EmailType.TRANSACTIONAL)).isTrue();
            assertThat(index.blocks(a, EmailType.MARKETING)).isTrue();
        }
    }

    @Test
    void unknownAddressIsNotBlocked() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add(BOB, SuppressionReason.HARD_BOUNCE));
        assertThat(index.blocks("alice@example.com", EmailType.TRANSACTIONAL)).isFalse();
        assertThat(index.lookup("alice@example.com")).isEmpty();
    }

    @Test
    void removeLiftsUnsubscribeAndManualEntries() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add("a@example.com", SuppressionReason.UNSUBSCRIBE));
        index.apply(add("b@example.com", SuppressionReason.MANUAL));
        assertThat(index.apply(remove("a@example.com"))).isNotNegative();
        assertThat(index.apply(remove("b@example.com"))).isNotNegative();
        assertThat(index.blocks("a@example.com", EmailType.MARKETING)).isFalse();
        assertThat(index.blocks("b@example.com", EmailType.TRANSACTIONAL)).isFalse();
        assertThat(index.size()).isZero();
    }

    @Test
    void hardBounceComplaintAndSoftBounceLimitAreNeverRemoved() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add("h@example.com", SuppressionReason.HARD_BOUNCE));
        index.apply(add("c@example.com", SuppressionReason.COMPLAINT));
        index.apply(add("s@example.com", SuppressionReason.SOFT_BOUNCE_LIMIT));
        assertThat(index.apply(remove("h@example.com"))).isEqualTo(-1);
        assertThat(index.apply(remove("c@example.com"))).isEqualTo(-1);
        assertThat(index.apply(remove("s@example.com"))).isEqualTo(-1);
        assertThat(index.lookup("h@example.com")).contains(SuppressionReason.HARD_BOUNCE);
        assertThat(index.lookup("c@example.com")).contains(SuppressionReason.COMPLAINT);
        assertThat(index.lookup("s@example.com")).contains(SuppressionReason.SOFT_BOUNCE_LIMIT);
        assertThat(index.size()).isEqualTo(3);
    }

    @Test
    void strongerReasonReplacesWeakerAndNeverTheOtherWayRound() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add(BOB, SuppressionReason.UNSUBSCRIBE));
        index.apply(add(BOB, SuppressionReason.HARD_BOUNCE));
        assertThat(index.lookup(BOB)).contains(SuppressionReason.HARD_BOUNCE);
        // An unsubscribe replayed after the bounce must not open the address to transactional mail.
        assertThat(index.apply(add(BOB, SuppressionReason.UNSUBSCRIBE))).isEqualTo(-1);
        assertThat(index.blocks(BOB, EmailType.TRANSACTIONAL)).isTrue();
        index.apply(add(BOB, SuppressionReason.COMPLAINT));
        assertThat(index.lookup(BOB)).contains(SuppressionReason.COMPLAINT);
        assertThat(index.apply(add(BOB, SuppressionReason.HARD_BOUNCE))).isEqualTo(-1);
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void reasonsRankAsTheEdgeStoreDoes() {
        // unsubscribe < manual < soft-bounce limit < hard bounce < complaint
        SuppressionReason[] order = {
            SuppressionReason.UNSUBSCRIBE,
            SuppressionReason.MANUAL,
            SuppressionReason.SOFT_BOUNCE_LIMIT,
            SuppressionReason.HARD_BOUNCE,
            SuppressionReason.COMPLAINT
        };
        for (int i = 0; i < order.length; i++) {
            for (int j = 0; j < order.length; j++) {
                SuppressionIndex index = SuppressionIndex.create();
                index.apply(add(BOB, order[i]));
                index.apply(add(BOB, order[j]));
                assertThat(index.lookup(BOB))
                        .as("%s then %s", order[i], order[j])
                        .contains(order[Math.max(i, j)]);
            }
        }
    }

    @Test
    void removedAddressCanBeSuppressedAgain() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add(BOB, SuppressionReason.UNSUBSCRIBE));
        index.apply(remove(BOB));
        index.apply(add(BOB, SuppressionReason.UNSUBSCRIBE));
        assertThat(index.blocks(BOB, EmailType.MARKETING)).isTrue();
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void changesAreNormalisedSoAnUnnormalisedProducerStillSuppresses() {
        SuppressionIndex index = SuppressionIndex.create();
        index.apply(add("  Bob@EXAMPLE.com ", SuppressionReason.COMPLAINT));
        assertThat(index.blocks(BOB, EmailType.TRANSACTIONAL)).isTrue();
        index.apply(add("user@bücher.de", SuppressionReason.HARD_BOUNCE));
        assertThat(index.blocks(Addresses.normalise("USER@BÜCHER.DE"), EmailType.MARKETING))
                .isTrue();
    }

    @Test
    void invalidChangesAreRefusedWithAClearError() {
        SuppressionIndex index = SuppressionIndex.create();
        assertThatThrownBy(() -> index.apply(add("not-an-address", SuppressionReason.MANUAL)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                index.apply(
                                        new SuppressionChange(
                                                BOB, Action.ADD, null, null, null, null)))
                .hasMessageContaining("reason");
        assertThat(index.size()).isZero();
    }

    @Test
    void incrementalChangesMatchASimpleModelThroughManyCompactions() {
        // Few buckets and many changes, so deltas fill and merge many times.
        SuppressionIndex index = SuppressionIndex.create(4);
        Map<Long, SuppressionReason> model = new HashMap<>();
        Random random = new Random(42);
        long[] hashes = new long[3000];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = random.nextLong() & ~7L;
        }
        SuppressionReason[] reasons = SuppressionReason.values();
        for (int step = 0; step < 60_000; step++) {
            long h = hashes[random.nextInt(hashes.length)];
            if (random.nextInt(3) == 0) {
                index.remove(h);
                SuppressionReason r = model.get(h);
                if (r != null && r.removable()) {
                    model.remove(h);
                }
            } else {
                SuppressionReason r = reasons[random.nextInt(reasons.length)];
                index.add(h, r);
                SuppressionReason current = model.get(h);
                if (current == null || rank(r) > rank(current)) {
                    model.put(h, r);
                }
            }
            if (step % 5000 == 0) {
                index.bucket(random.nextInt(4)); // publishing a bucket merges its delta
            }
        }
        for (long h : hashes) {
            assertThat(index.reasonForHash(h)).isEqualTo(model.get(h));
            // The low three bits carry the reason in entries; lookups ignore them in the hash.
            assertThat(index.reasonForHash(h | 5)).isEqualTo(model.get(h));
        }
        assertThat(index.size()).isEqualTo(model.size());
        index.compactAll();
        for (long h : hashes) {
            assertThat(index.reasonForHash(h)).isEqualTo(model.get(h));
        }
    }

    private static int rank(SuppressionReason r) {
        return SuppressionIndex.strength(r.ordinal() + 1);
    }

    @Test
    void bucketsRestoreIntoAFreshIndexWithTheSameContent() {
        SuppressionIndex index = SuppressionIndex.create(64);
        Random random = new Random(7);
        long[] hashes = new long[5000];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = random.nextLong();
            index.add(hashes[i], SuppressionReason.values()[i % 5]);
        }
        index.remove(hashes[3]); // UNSUBSCRIBE: removable
        int[] dirty = index.drainDirtyBuckets();
        assertThat(dirty).hasSize(64);
        assertThat(index.drainDirtyBuckets()).isEmpty();

        SuppressionIndex restored = SuppressionIndex.create(64);
        for (int id : dirty) {
            restored.restoreBucket(id, index.bucket(id));
        }
        assertThat(restored.size()).isEqualTo(index.size()).isEqualTo(4999);
        for (long h : hashes) {
            assertThat(restored.reasonForHash(h)).isEqualTo(index.reasonForHash(h));
        }
        assertThat(restored.drainDirtyBuckets()).isEmpty();
    }

    @Test
    void onlyChangedBucketsAreReportedDirty() {
        SuppressionIndex index = SuppressionIndex.create(16);
        long h = 0x1234_5678_9abc_def0L;
        int b = index.add(h, SuppressionReason.MANUAL);
        assertThat(b).isEqualTo(index.bucketOf(h));
        assertThat(index.drainDirtyBuckets()).containsExactly(b);
        assertThat(index.add(h, SuppressionReason.UNSUBSCRIBE)).isEqualTo(-1);
        assertThat(index.drainDirtyBuckets()).isEmpty();
    }

    @Test
    void publishedBucketArraysAreNeverModifiedByLaterChanges() {
        SuppressionIndex index = SuppressionIndex.create(1);
        index.add(100L << 3, SuppressionReason.MANUAL);
        long[] published = index.bucket(0);
        long[] copy = published.clone();
        index.add(200L << 3, SuppressionReason.MANUAL);
        index.remove(100L << 3);
        index.bucket(0);
        assertThat(published).isEqualTo(copy);
    }

    @Test
    void restoreRefusesBucketsOfAnotherLayout() {
        SuppressionIndex sixteen = SuppressionIndex.create(16);
        long h = 0x2000_0000_0000_0000L; // bucket 2 of 16, bucket 1 of 8
        sixteen.add(h, SuppressionReason.COMPLAINT);
        int b = sixteen.bucketOf(h);
        SuppressionIndex eight = SuppressionIndex.create(8);
        assertThatThrownBy(() -> eight.restoreBucket(b % 8, sixteen.bucket(b)))
                .hasMessageContaining("different bucket count");
        assertThatThrownBy(() -> eight.restoreBucket(0, new long[] {16, 8}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bucketCountMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> SuppressionIndex.create(3)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> SuppressionIndex.create(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void singleBucketIndexFindsNegativeAndPositiveHashes() {
        SuppressionIndex index = SuppressionIndex.create(1);
        long[] hashes = {Long.MIN_VALUE, -8, 0, 8, Long.MAX_VALUE & ~7L, 0x7000_0000_0000_0000L};
        for (long h : hashes) {
            index.add(h, SuppressionReason.HARD_BOUNCE);
        }
        index.compactAll();
        for (long h : hashes) {
            assertThat(index.reasonForHash(h)).isEqualTo(SuppressionReason.HARD_BOUNCE);
        }
        assertThat(index.reasonForHash(16)).isNull();
    }

    @Test
    void guessedSearchAgreesWithBinarySearchFromAnyStartingPoint() {
        Random random = new Random(1);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(300);
            long[] a = new long[n];
            for (int i = 0; i < n; i++) {
                a[i] = random.nextInt(1000) * 8L;
            }
            Arrays.sort(a);
            for (int k = 0; k < 20; k++) {
                long key = random.nextInt(1100) * 8L;
                int expected = 0;
                while (expected < n && a[expected] < key) {
                    expected++;
                }
                int guess = random.nextInt(n);
                assertThat(SuppressionIndex.lowerBoundFrom(a, n, key, guess))
                        .as("n=%d key=%d guess=%d", n, key, guess)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void entryEncodingKeepsHashAndReason() {
        long e = SuppressionIndex.entry(0xABCDEF0123456789L, SuppressionReason.UNSUBSCRIBE);
        assertThat(SuppressionIndex.reasonOf(e)).isEqualTo(SuppressionReason.UNSUBSCRIBE);
        assertThat(e & ~7L).isEqualTo(0xABCDEF0123456789L & ~7L);
        assertThat(SuppressionIndex.keyOf(BOB)).isEqualTo(Addresses.hash64(BOB) & ~7L);
    }

    @Test
    void heapEstimateGrowsByAboutEightBytesPerAddress() {
        SuppressionIndex index = SuppressionIndex.create(256);
        long empty = index.heapBytesEstimate();
        Random random = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            index.add(random.nextLong(), SuppressionReason.MANUAL);
        }
        index.compactAll();
        long perEntry = (index.heapBytesEstimate() - empty) / 100_000;
        assertThat(perEntry).isBetween(8L, 9L);
    }
}
