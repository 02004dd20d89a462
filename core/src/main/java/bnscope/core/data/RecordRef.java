package bnscope.core.data;

import java.io.Serializable;

/**
 * One training record: index of its batch file in the training file list and its record index in
 * that file. A minibatch is a list of these ({@link MinibatchPlan}).
 */
public record RecordRef(int fileIndex, int recordIndex) implements Serializable {
    public RecordRef {
        if (fileIndex < 0 || recordIndex < 0) {
            throw new IllegalArgumentException("negative index: file " + fileIndex + ", record " + recordIndex);
        }
    }
}
