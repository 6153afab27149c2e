package io.sendline.send.status;

import io.sendline.send.events.JobEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The status events a sink buffers between two flushes, folded to one row per job ({@link
 * StatusRow#then}): the QUEUED and SENT of a job that arrive in the same batch become one row write
 * instead of two, and the batch can be written as one multi-row upsert (which may touch each row
 * only once). Not thread-safe.
 */
public final class StatusBatch {

    private final Map<String, StatusRow> rows = new HashMap<>();
    private int added;

    /** Adds a status event. */
    public void add(JobEvent e) {
        StatusRow row = StatusRow.of(e);
        rows.merge(row.jobId(), row, StatusRow::then);
        added++;
    }

    /** Events added since the last {@link #clear()} (the flush trigger counts events). */
    public int added() {
        return added;
    }

    /** Rows to write (one per job). */
    public int size() {
        return rows.size();
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The rows in job-id order (a fixed lock order, so that two writers cannot deadlock). */
    public List<StatusRow> rows() {
        List<StatusRow> out = new ArrayList<>(rows.values());
        out.sort(Comparator.comparing(StatusRow::jobId));
        return out;
    }

    /** The folded row of a job, or null. */
    public StatusRow row(String jobId) {
        return rows.get(jobId);
    }

    public void clear() {
        rows.clear();
        added = 0;
    }
}
