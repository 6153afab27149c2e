package io.sendline.stack;

import org.apache.flink.core.execution.JobClient;

/**
 * One Flink job the local stack runs. The stack starts every job whose {@link #available()} is
 * true, so a job appears in the stack as soon as its module has it; later jobs add a starter to
 * {@link StackJobs#all()}.
 */
public interface StackJob {

    /** Job name, as shown in the Flink web UI. */
    String name();

    /** True when the job's code is on the classpath (its module has the entry point). */
    boolean available();

    /**
     * Builds the job on {@code ctx.env()} and submits it without waiting for it to end.
     *
     * @return the client of the submitted job
     */
    JobClient start(StackJobContext ctx) throws Exception;
}
