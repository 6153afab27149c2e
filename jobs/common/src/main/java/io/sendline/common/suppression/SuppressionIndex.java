package io.sendline.common.suppression;

import io.sendline.common.address.Addresses;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionReason;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;
import java.util.Optional;

/**
 * The suppression list of one send-pipeline subtask: ten million addresses in 80 MB of heap, a
 * lookup by hash in about two cache misses (~0.1-0.3 µs measured, see docs/domain-rules.md).
 *
 * <p><b>Keys.</b> An address is never stored: its key is {@link Addresses#hash64} of the normalised
 * address with the low three bits cleared, and those three bits carry the {@link
 * SuppressionReason}. One entry is one {@code long} (8 bytes). Clearing three bits leaves 61 bits
 * of hash: with 10 million addresses the chance that any two collide is about 2 in 100,000, and a
 * collision only ever suppresses one extra address (it never lets a suppressed one through).
 *
 * <p><b>Layout.</b> Entries are spread over a power-of-two number of buckets chosen by the top bits
 * of the hash. Each bucket is a sorted, immutable {@code long[]} (the <i>base</i>) plus a small
 * sorted <i>delta</i> of recent changes that overrides the base (a delta entry with reason code
 * {@value #TOMBSTONE} is a removal). When a delta fills up it is merged into a new base array, so a
 * bulk load of the whole compacted topic costs about {@code sqrt(bucket size)} copied entries per
 * change instead of a whole bucket copy per change.
 *
 * <p><b>Keeping it in Flink state (for the operator author).</b> Never one state entry per address
 * in <i>broadcast</i> state: a broadcast {@code MapState} of 10 million boxed entries is written in
 * full by every subtask on every checkpoint and takes seconds each time. Two layouts work:
 *
 * <ol>
 *   <li><b>Partitioned by bucket (recommended; the send pipeline's {@code
 *       SuppressionFunction}).</b> Key both the jobs and the suppression changes by {@link
 *       #bucketOf} of the address hash, so a job and every change of its recipient meet in one
 *       subtask. Keep the durable copy in keyed {@code MapState<Long, Integer>} (key {@code hash &
 *       ~7}, value the reason's ordinal) on RocksDB: incremental checkpoints then write only what
 *       changed, and each subtask holds only its share ({@code 80 MB / parallelism} of heap at 10
 *       million). Create the index with all buckets, and fill a bucket from the MapState ({@link
 *       #restoreBucket} with the sorted entries) the first time it is touched after a start or
 *       restore; apply changes with {@link #add}/{@link #remove} and mirror the resulting {@link
 *       #reasonForHash} into the MapState (put, or remove when it became null).
 *   <li><b>Broadcast</b>, when jobs cannot be shuffled by bucket: declare {@code
 *       MapStateDescriptor<Integer, long[]>} (Flink's primitive {@code long[]} type, never Kryo)
 *       with one value per <i>bucket</i>. Implement {@code CheckpointedFunction}: in {@code
 *       initializeState} take the state from {@code getOperatorStateStore().getBroadcastState(d)}
 *       (readable there, and writable) and {@link #restoreBucket} every entry (taken over without a
 *       copy); in {@code processBroadcastElement} only {@link #apply}, never a state write per
 *       change (a 20 KB bucket copy per change, hundreds of GB while catching up on the topic); in
 *       {@code snapshotState}, which runs before the operator state is snapshotted, {@code
 *       state.put(id, index.bucket(id))} for each id of {@link #drainDirtyBuckets()}. Base arrays
 *       are immutable once published, so state and index share them. Costs: every subtask writes
 *       ~80 MB per checkpoint (broadcast state is neither incremental nor de-duplicated), the heap
 *       backend deep-copies it in the synchronous phase (another ~80 MB of short-lived heap), and
 *       checkpoints must be aligned so that all subtasks have applied the same prefix of the
 *       broadcast stream.
 * </ol>
 *
 * <p>The bucket count is part of the state's format: {@link #restoreBucket} refuses entries of
 * another layout.
 *
 * <p><b>Lookups.</b> The caller hashes the normalised address once ({@link Addresses#hash64}) and
 * calls {@link #blocksHash} or {@link #reasonForHash}, which allocate nothing. Inside a bucket the
 * place of a hash is first guessed from its value (hashes are uniform) and then found by a short
 * gallop and binary search, so a lookup touches about two cache lines. Call {@link #compactAll()}
 * after a bulk load (e.g. when the suppression topic has been read to its end) to fold the pending
 * changes into the base arrays.
 *
 * <p>Rules: complaints and hard bounces are never removed (nor soft-bounce limits: only
 * unsubscribes and manual entries, {@link SuppressionReason#removable()}); a stronger reason
 * replaces a weaker one (UNSUBSCRIBE &lt; MANUAL &lt; SOFT_BOUNCE_LIMIT &lt; HARD_BOUNCE &lt;
 * COMPLAINT, the order of the edge's store) and never the other way round.
 *
 * <p>Not thread-safe: one instance per operator subtask, used from the task thread only.
 */
public final class SuppressionIndex {

    /** Default bucket count: ~2,400 entries per bucket at 10 million addresses. */
    public static final int DEFAULT_BUCKETS = 4096;

    /** Reason code of a removal in a delta. Reason codes are {@code ordinal + 1}, so 1..5. */
    static final int TOMBSTONE = 7;

    private static final long CODE_MASK = 7L;
    private static final long KEY_MASK = ~CODE_MASK;
    private static final long[] EMPTY = new long[0];
    private static final SuppressionReason[] REASONS = SuppressionReason.values();

    private final int bucketBits;
    private final long[][] base;
    private final long[][] delta;
    private final int[] deltaSize;
    private final BitSet dirty;
    private long size;

    private SuppressionIndex(int buckets) {
        this.bucketBits = Integer.numberOfTrailingZeros(buckets);
        this.base = new long[buckets][];
        this.delta = new long[buckets][];
        this.deltaSize = new int[buckets];
        this.dirty = new BitSet(buckets);
        Arrays.fill(base, EMPTY);
        Arrays.fill(delta, EMPTY);
    }

    /**
     * An empty index.
     *
     * @param buckets a power of two between 1 and 2^20; {@value #DEFAULT_BUCKETS} suits ten million
     *     addresses. Must be the same as in the checkpoint being restored.
     */
    public static SuppressionIndex create(int buckets) {
        if (buckets < 1 || buckets > (1 << 20) || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException(
                    "buckets must be a power of two between 1 and 1048576, was " + buckets);
        }
        return new SuppressionIndex(buckets);
    }

    /** An empty index with {@value #DEFAULT_BUCKETS} buckets. */
    public static SuppressionIndex create() {
        return create(DEFAULT_BUCKETS);
    }

    /** Number of buckets. */
    public int buckets() {
        return base.length;
    }

    /** The bucket a hash lives in: its top bits. */
    public int bucketOf(long hash) {
        return bucketBits == 0 ? 0 : (int) (hash >>> (64 - bucketBits));
    }

    /** The compact key of a normalised address (its 64-bit hash, low three bits cleared). */
    public static long keyOf(String normalisedAddress) {
        return Addresses.hash64(normalisedAddress) & KEY_MASK;
    }

    /** Encodes a hash and a reason into one entry, as stored in {@link #bucket(int)} arrays. */
    public static long entry(long hash, SuppressionReason reason) {
        return (hash & KEY_MASK) | (reason.ordinal() + 1);
    }

    /** The reason encoded in an entry. */
    public static SuppressionReason reasonOf(long entry) {
        int code = (int) (entry & CODE_MASK);
        if (code < 1 || code > REASONS.length) {
            throw new IllegalArgumentException("entry carries no reason code: " + code);
        }
        return REASONS[code - 1];
    }

    /**
     * Applies one change from the suppression topic.
     *
     * @param change the change; its address is normalised again here (idempotent), so a producer
     *     that sent {@code Bob@Example.COM} still suppresses {@code bob@example.com}
     * @return the id of the bucket that changed, or -1 when nothing changed (already present with
     *     an equal or stronger reason, removal of an absent address, or a refused removal of a
     *     complaint or hard bounce)
     * @throws IllegalArgumentException when the change has no address or action, an ADD has no
     *     reason, or the address is not valid ({@link
     *     io.sendline.common.address.InvalidAddressException})
     */
    public int apply(SuppressionChange change) {
        Objects.requireNonNull(change, "change");
        if (change.address() == null || change.action() == null) {
            throw new IllegalArgumentException("suppression change needs an address and action");
        }
        // The topic is keyed by the normalised address, but a producer that forgot to normalise
        // would otherwise create a key no lookup ever finds: normalising again is idempotent.
        long hash = Addresses.hash64(Addresses.normalise(change.address()));
        if (change.action() == SuppressionChange.Action.ADD) {
            if (change.reason() == null) {
                throw new IllegalArgumentException("suppression ADD needs a reason");
            }
            return add(hash, change.reason());
        }
        return remove(hash);
    }

    /**
     * Adds a hash with a reason, keeping the stronger reason if one is present.
     *
     * @return the changed bucket, or -1 when nothing changed
     */
    public int add(long hash, SuppressionReason reason) {
        int b = bucketOf(hash);
        long key = hash & KEY_MASK;
        int current = codeOf(b, key);
        int code = reason.ordinal() + 1;
        if (current != 0 && strength(current) >= strength(code)) {
            return -1;
        }
        putDelta(b, key | code);
        if (current == 0) {
            size++;
        }
        return b;
    }

    /**
     * Removes a hash unless its reason is permanent (complaint, hard bounce).
     *
     * @return the changed bucket, or -1 when nothing changed
     */
    public int remove(long hash) {
        int b = bucketOf(hash);
        long key = hash & KEY_MASK;
        int current = codeOf(b, key);
        if (current == 0 || !REASONS[current - 1].removable()) {
            return -1;
        }
        putDelta(b, key | TOMBSTONE);
        size--;
        return b;
    }

    /**
     * The entries of one bucket, sorted, each {@code hash & ~7 | (reason.ordinal() + 1)}. Merges
     * the bucket's pending changes first. The array is shared with the index and must not be
     * modified; the index never modifies it either (later changes produce a new array).
     */
    public long[] bucket(int id) {
        compact(id);
        return base[id];
    }

    /**
     * Installs a bucket from a checkpoint (an array previously returned by {@link #bucket(int)}).
     * The array is taken over, not copied, and must not be modified afterwards.
     *
     * @throws IllegalArgumentException if the entries are not sorted, carry no valid reason, or do
     *     not belong to this bucket (e.g. the bucket count changed since the checkpoint)
     */
    public void restoreBucket(int id, long[] entries) {
        Objects.checkIndex(id, base.length);
        long[] e = entries == null ? EMPTY : entries;
        for (int i = 0; i < e.length; i++) {
            int code = (int) (e[i] & CODE_MASK);
            if (code < 1 || code > REASONS.length) {
                throw new IllegalArgumentException("bucket " + id + " has an invalid entry");
            }
            if (i > 0 && e[i - 1] >= e[i]) {
                throw new IllegalArgumentException("bucket " + id + " is not sorted");
            }
            if (bucketOf(e[i]) != id) {
                throw new IllegalArgumentException(
                        "bucket "
                                + id
                                + " holds an entry of bucket "
                                + bucketOf(e[i])
                                + ": restored with a different bucket count?");
            }
        }
        size -= liveCount(id);
        base[id] = e;
        delta[id] = EMPTY;
        deltaSize[id] = 0;
        dirty.clear(id);
        size += e.length;
    }

    /** Merges every bucket's pending changes into its base array (e.g. after a bulk load). */
    public void compactAll() {
        for (int b = 0; b < base.length; b++) {
            compact(b);
        }
    }

    /**
     * The ids of buckets changed since the last call (in ascending order), and forgets them. The
     * operator calls {@link #bucket(int)} for each to mirror it into state.
     */
    public int[] drainDirtyBuckets() {
        int[] ids = dirty.stream().toArray();
        dirty.clear();
        return ids;
    }

    /** Why a normalised address is suppressed, or empty. */
    public Optional<SuppressionReason> lookup(String normalisedAddress) {
        return lookupHash(Addresses.hash64(normalisedAddress));
    }

    /** Why the address with this {@link Addresses#hash64} is suppressed, or empty. */
    public Optional<SuppressionReason> lookupHash(long hash) {
        SuppressionReason r = reasonForHash(hash);
        return r == null ? Optional.empty() : Optional.of(r);
    }

    /** Allocation-free form of {@link #lookupHash}: the reason, or null. */
    public SuppressionReason reasonForHash(long hash) {
        int code = codeOf(bucketOf(hash), hash & KEY_MASK);
        return code == 0 ? null : REASONS[code - 1];
    }

    /**
     * True when mail of this type must not go to this normalised address: hard bounce, complaint,
     * soft-bounce limit and manual block every type; unsubscribe blocks marketing only.
     */
    public boolean blocks(String normalisedAddress, EmailType type) {
        return blocksHash(Addresses.hash64(normalisedAddress), type);
    }

    /** {@link #blocks(String, EmailType)} for a precomputed {@link Addresses#hash64}. */
    public boolean blocksHash(long hash, EmailType type) {
        SuppressionReason r = reasonForHash(hash);
        return r != null && r.blocks(type);
    }

    /** Number of suppressed addresses. */
    public long size() {
        return size;
    }

    /**
     * Estimated retained heap in bytes: the arrays (16-byte header + 8 bytes per slot) and the
     * per-bucket bookkeeping. Base arrays shared with Flink broadcast state are counted once here.
     */
    public long heapBytesEstimate() {
        long bytes = 16L * 6 + 3 * (16L + 4L * base.length) + 4L * base.length + base.length / 8;
        for (int b = 0; b < base.length; b++) {
            if (base[b] != EMPTY) {
                bytes += 16L + 8L * base[b].length;
            }
            if (delta[b] != EMPTY) {
                bytes += 16L + 8L * delta[b].length;
            }
        }
        return bytes;
    }

    // ---- internals -------------------------------------------------------------------------

    /** Reason code of a key in bucket b (delta first, it overrides the base), 0 when absent. */
    private int codeOf(int b, long key) {
        int n = deltaSize[b];
        if (n > 0) {
            int i = lowerBound(delta[b], n, key);
            if (i < n && (delta[b][i] & KEY_MASK) == key) {
                int code = (int) (delta[b][i] & CODE_MASK);
                return code == TOMBSTONE ? 0 : code;
            }
        }
        long[] a = base[b];
        int len = a.length;
        if (len == 0) {
            return 0;
        }
        int i = lowerBoundFrom(a, len, key, guess(key, len));
        return i < len && (a[i] & KEY_MASK) == key ? (int) (a[i] & CODE_MASK) : 0;
    }

    /**
     * Where a key should be in a sorted bucket of {@code n} uniformly distributed hashes: the bits
     * below the bucket bits, read as a fraction, times {@code n}. Hashes are uniform, so the real
     * place is within a few dozen slots (a couple of cache lines) and a lookup touches about two
     * cache lines instead of the dozen a plain binary search over 10 million entries misses on.
     */
    private int guess(long key, int n) {
        // Within a bucket the top bits are equal, so signed order is unsigned order of the rest;
        // with one bucket the sign bit is flipped to turn signed order into a fraction.
        long fraction = bucketBits == 0 ? key ^ Long.MIN_VALUE : key << bucketBits;
        // unsigned (fraction * n) >>> 64, n >= 0
        long high = Math.multiplyHigh(fraction, n) + ((fraction >> 63) & n);
        return (int) Math.min(n - 1, Math.max(0, high));
    }

    /**
     * {@link #lowerBound} starting from a guess: gallops away from it in doubling steps until the
     * answer is bracketed, then binary-searches the bracket.
     */
    static int lowerBoundFrom(long[] a, int n, long key, int guess) {
        int g = Math.min(n - 1, Math.max(0, guess));
        int lo;
        int hi;
        if (a[g] < key) {
            // answer in (g, n]
            lo = g + 1;
            hi = lo;
            int step = 1;
            while (hi < n && a[hi] < key) {
                lo = hi + 1;
                hi += step;
                step <<= 1;
            }
            hi = Math.min(hi, n);
        } else {
            // answer in [0, g]
            hi = g;
            lo = g;
            int step = 1;
            while (lo > 0 && a[lo - 1] >= key) {
                hi = lo - 1;
                lo -= step;
                step <<= 1;
            }
            lo = Math.max(lo, 0);
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** First index in a[0..n) whose entry is >= key (entries of one key differ in low bits). */
    private static int lowerBound(long[] a, int n, long key) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The order in which a reason replaces another, the same as the edge's store and the database:
     * unsubscribe &lt; manual &lt; soft-bounce limit &lt; hard bounce &lt; complaint. Keeping one
     * order everywhere makes the index agree with {@code email_suppression} about which entry an
     * address has, and so about whether a later REMOVE may lift it.
     */
    static int strength(int code) {
        switch (REASONS[code - 1]) {
            case UNSUBSCRIBE:
                return 1;
            case MANUAL:
                return 2;
            case SOFT_BOUNCE_LIMIT:
                return 3;
            case HARD_BOUNCE:
                return 4;
            case COMPLAINT:
                return 5;
            default:
                throw new IllegalStateException("unknown reason " + REASONS[code - 1]);
        }
    }

    private void putDelta(int b, long entry) {
        dirty.set(b);
        long key = entry & KEY_MASK;
        long[] d = delta[b];
        int n = deltaSize[b];
        int i = lowerBound(d, n, key);
        if (i < n && (d[i] & KEY_MASK) == key) {
            d[i] = entry;
            return;
        }
        if (n == d.length) {
            if (n >= deltaCapacity(base[b].length)) {
                compact(b);
                d = delta[b];
                n = 0;
                i = 0;
            }
            if (n == d.length) {
                d = Arrays.copyOf(d, Math.max(8, Math.min(deltaCapacity(base[b].length), n * 2)));
                delta[b] = d;
            }
        }
        System.arraycopy(d, i, d, i + 1, n - i);
        d[i] = entry;
        deltaSize[b] = n + 1;
    }

    /**
     * How many changes a bucket buffers before merging: about sqrt(2 * base length), which balances
     * the shift inside the delta against the amortised cost of the merge.
     */
    private static int deltaCapacity(int baseLength) {
        return Math.max(8, Math.min(1024, (int) Math.sqrt(2.0 * baseLength)));
    }

    /** Merges the delta of bucket b into a new base array. */
    private void compact(int b) {
        int n = deltaSize[b];
        if (n == 0) {
            return;
        }
        long[] a = base[b];
        long[] d = delta[b];
        long[] out = new long[a.length + n];
        int i = 0;
        int j = 0;
        int o = 0;
        while (i < a.length || j < n) {
            long next;
            if (j >= n) {
                next = a[i++];
            } else if (i >= a.length) {
                next = d[j++];
            } else {
                long ka = a[i] & KEY_MASK;
                long kd = d[j] & KEY_MASK;
                if (ka < kd) {
                    next = a[i++];
                } else if (kd < ka) {
                    next = d[j++];
                } else {
                    i++; // the delta overrides the base
                    next = d[j++];
                }
            }
            if ((next & CODE_MASK) != TOMBSTONE) {
                out[o++] = next;
            }
        }
        base[b] = o == 0 ? EMPTY : (o == out.length ? out : Arrays.copyOf(out, o));
        Arrays.fill(d, 0, n, 0L);
        deltaSize[b] = 0;
    }

    /** Live entries of bucket b, counting the delta's effect (used on restore). */
    private long liveCount(int b) {
        long[] a = base[b];
        long count = a.length;
        long[] d = delta[b];
        for (int j = 0; j < deltaSize[b]; j++) {
            long key = d[j] & KEY_MASK;
            int i = lowerBound(a, a.length, key);
            boolean inBase = i < a.length && (a[i] & KEY_MASK) == key;
            boolean tomb = (d[j] & CODE_MASK) == TOMBSTONE;
            if (inBase && tomb) {
                count--;
            } else if (!inBase && !tomb) {
                count++;
            }
        }
        return count;
    }
}
