package bnscope.jobs;

/**
 * A failure that a run's manifest.json already records (status "failed"): the job that wrote the
 * record throws this around the original exception, so the console says "the manifest records the
 * failure" only when one did. {@link #getCause()} is the failure itself.
 */
public final class RecordedFailure extends RuntimeException {
    private final String manifest;

    /** @param manifest the manifest.json that records the failure */
    public RecordedFailure(String manifest, Throwable cause) {
        super(cause.getMessage(), cause);
        this.manifest = manifest;
    }

    /** The path of the manifest that records the failure. */
    public String manifest() {
        return manifest;
    }
}
