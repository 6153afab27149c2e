package io.sendline.send.render;

import io.sendline.schemas.EmailJob;
import io.sendline.schemas.SuppressionChange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;

/**
 * Runs {@link SuppressionFunction} and, at a fresh start, loads the suppression list before the
 * first job is judged: {@code open()} reads {@code email.suppressions} up to the offsets captured
 * when the job was built ({@link SuppressionBootstrap}) and applies the changes of this subtask's
 * key groups to the keyed state. Jobs meanwhile wait upstream (the task is not running yet), so no
 * job is ever checked against a half-loaded list. After a restore the list is in the state and
 * nothing is read.
 */
public final class SuppressionOperator
        extends KeyedCoProcessOperator<Integer, EmailJob, SuppressionChange, EmailJob> {

    private static final long serialVersionUID = 1L;

    private final SuppressionBootstrap bootstrap;
    private final int buckets;
    private transient boolean restored;

    /**
     * @param function the suppression check
     * @param bootstrap the list to load at a fresh start, or null to start empty
     * @param buckets the bucket count of {@link SuppressionKeys}
     */
    public SuppressionOperator(
            SuppressionFunction function, SuppressionBootstrap bootstrap, int buckets) {
        super(function);
        this.bootstrap = bootstrap;
        this.buckets = buckets;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (bootstrap == null || restored) {
            return;
        }
        var task = getRuntimeContext().getTaskInfo();
        int maxParallelism = task.getMaxNumberOfParallelSubtasks();
        int parallelism = task.getNumberOfParallelSubtasks();
        int me = task.getIndexOfThisSubtask();
        SuppressionFunction f = (SuppressionFunction) userFunction;
        bootstrap.read(
                change -> {
                    int bucket = SuppressionKeys.bucketOf(change.address(), buckets);
                    if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                    bucket, maxParallelism, parallelism)
                            == me) {
                        setCurrentKey(bucket);
                        try {
                            f.apply(bucket, change);
                        } catch (Exception e) {
                            throw new IllegalStateException("cannot apply a suppression", e);
                        }
                    }
                });
    }
}
