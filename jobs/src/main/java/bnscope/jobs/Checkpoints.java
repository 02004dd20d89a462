package bnscope.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * Model checkpoints of one variant: {@code RUN/checkpoints/VARIANT/step-NNNNNNNNN.zip} (DL4J's
 * ModelSerializer format: configuration with its iteration count, parameters, updater state). The
 * newest two are kept; {@code --resume} continues from the newest.
 */
public final class Checkpoints {
    private static final int KEEP = 2;

    private final Path dir;
    private final Configuration hadoop;

    public Checkpoints(Path runDir, String variant, Configuration hadoop) {
        this.dir = new Path(new Path(runDir, "checkpoints"), variant);
        this.hadoop = hadoop;
    }

    private static String name(long step) {
        return String.format("step-%09d.zip", step);
    }

    public void save(MultiLayerNetwork net, long step) {
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            fs.mkdirs(dir);
            Path tmp = new Path(dir, "." + name(step) + ".tmp");
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                ModelSerializer.writeModel(net, out, true);
            }
            Path target = new Path(dir, name(step));
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            fs.rename(tmp, target);
            FileStatus[] all = list(fs);
            for (int i = 0; i < all.length - KEEP; i++) {
                fs.delete(all[i].getPath(), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint in " + dir, e);
        }
    }

    private FileStatus[] list(FileSystem fs) throws IOException {
        if (!fs.exists(dir)) {
            return new FileStatus[0];
        }
        FileStatus[] files = fs.listStatus(dir, p -> p.getName().startsWith("step-") && p.getName().endsWith(".zip"));
        Arrays.sort(files, Comparator.comparing(f -> f.getPath().getName()));
        return files;
    }

    /** The steps of the checkpoints present, oldest first. */
    public List<Long> steps() {
        try {
            List<Long> steps = new ArrayList<>();
            for (FileStatus f : list(dir.getFileSystem(hadoop))) {
                steps.add(Long.parseLong(f.getPath().getName().substring(5, 14)));
            }
            return steps;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
        }
    }

    /** The checkpoint directory of the variant. */
    public Path directory() {
        return dir;
    }

    /** The step of the newest checkpoint, if any. */
    public OptionalLong latestStep() {
        try {
            FileStatus[] all = list(dir.getFileSystem(hadoop));
            if (all.length == 0) {
                return OptionalLong.empty();
            }
            String n = all[all.length - 1].getPath().getName();
            return OptionalLong.of(Long.parseLong(n.substring(5, 14)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
        }
    }

    public MultiLayerNetwork load(long step) {
        Path p = new Path(dir, name(step));
        try (InputStream in = p.getFileSystem(hadoop).open(p)) {
            return ModelSerializer.restoreMultiLayerNetwork(in, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + p, e);
        }
    }
}
