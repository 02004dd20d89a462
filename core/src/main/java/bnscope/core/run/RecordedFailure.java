package bnscope.core.run;

/**
 * A command failed and its run directory's manifest records the failure (status failed, the reason
 * and where {@code --resume} continues). Entry points tell the user to look there only for this
 * exception; any other failure was not recorded. The cause is the original error.
 */
public final class RecordedFailure extends RuntimeException {
    private final String manifest;

    public RecordedFailure(String manifest, Throwable cause) {
        super(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        this.manifest = manifest;
    }

    /** The manifest that records the failure. */
    public String manifest() {
        return manifest;
    }

    /** The RecordedFailure in {@code e}'s cause chain, or null. */
    public static RecordedFailure in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordedFailure r) {
                return r;
            }
        }
        return null;
    }
}
